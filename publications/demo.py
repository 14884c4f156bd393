"""Load the demo publications: the seed's six items, with real generated PDFs.

Each PDF is drawn page by page with Pillow (a cover, then text pages) and written
by Pillow's PDF writer, so sizes, page counts and covers are those of real files.
"""

import io
import textwrap
from datetime import date
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from django.core.files.base import ContentFile

from posts.models import Post
from unact.demo_images import PALETTES, make_cover_image
from unact.editions import edition_translate

from .models import Country, Publication
from .services import publication_save

PAGE_SIZE = (1240, 1754)  # A4 at 150 dpi
MARGIN = 110

# The demo's films and their captions, made by scripts/make_demo_video.py.
ASSETS = Path(__file__).resolve().parent / "demo_assets"

# The six countries of the Greater Mekong Sub-region, by code.
GMS_COUNTRIES = ["cambodia", "china", "lao-pdr", "myanmar", "thailand", "viet-nam"]

PUBLICATIONS = [
    {
        "slug": "un-act-2015-annual-report",
        "title": "UN-ACT 2015 Annual Report",
        "kind": Publication.Kind.ANNUAL_REPORT,
        "date": date(2016, 8, 25),
        "countries": [*GMS_COUNTRIES, "regional"],
        "tags": ["Annual report", "COMMIT", "ASEAN", "Civil society"],
        "post": "un-act-2015-annual-report",
        "summary": (
            "UN-ACT's progress in 2015 across all output areas, with case studies from the six "
            "countries, cross-cutting issues of human rights and gender, and the way forward."
        ),
        "sections": [
            (
                "Foreword",
                "UN-ACT is pleased to present its 2015 Annual Report. It illustrates our progress across all output areas, outlines case studies from the countries in which we work, and discusses cross-cutting issues including human rights and gender, constraints in implementation and the way forward for 2016 and beyond.",
            ),
            (
                "Survivors supported",
                "2911 trafficking survivors were referred and supported through national and transnational mechanisms across all six Greater Mekong Sub-region countries, a 16% increase compared to 2014 that may indicate improved victim identification and referral within and between GMS countries.",
            ),
            (
                "Law and policy",
                "Six major legal and policy improvements occurred in 2015, from a revised penal code in Viet Nam that recognises men forcibly exploited as victims of trafficking, and strengthened monitoring of minimum standards for victim protection in Cambodia, to the first anti-human trafficking law of Lao PDR.",
            ),
            (
                "The COMMIT Process",
                "The COMMIT Process continued to become more effective, transparent, accountable and inclusive. At the 10th Senior Officials Meeting and 4th Inter-Ministerial Meeting in Cambodia, civil society presented its challenges, lessons and recommendations side by side with government representatives.",
            ),
            (
                "ASEAN and COMMIT",
                "ASEAN and COMMIT jointly developed common indicators of human trafficking and related forms of exploitation, co-sponsored by UN-ACT, so that frontline responders can identify potential victims before more specialised screening.",
            ),
            (
                "Research",
                "Research examined the experiences of Lao migrant workers who used recruitment agencies to find jobs in Thailand, and the vulnerability factors behind forced marriage between Cambodia and China, to inform protection and regular labour migration.",
            ),
            (
                "Civil society",
                "The Civil Society Platform to COMMIT was established in 2015. 149 civil society organisations took part in national and regional COMMIT events during the year, compared to 80 in 2014.",
            ),
            (
                "The way forward",
                "We look forward to the years ahead, working in partnership with anti-trafficking stakeholders in the Greater Mekong Sub-region and beyond to counter human trafficking effectively.",
            ),
        ],
    },
    {
        "slug": "12-un-act-results-at-a-glance",
        "title": "12 UN-ACT Results at a Glance",
        "kind": Publication.Kind.BRIEF,
        "date": date(2016, 6, 15),
        "countries": ["regional"],
        "tags": ["Results", "COMMIT", "Brief"],
        "post": "12-un-act-results-at-a-glance",
        "summary": "A two-page overview of twelve of UN-ACT's key results over its first two years of programming.",
        "sections": [
            (
                "Twelve results, two years",
                "This brief gives a quick overview of twelve of UN-ACT's key results over the last two years of programming: survivors referred across borders, laws adopted and revised, the COMMIT Process strengthened, and civil society given a seat at the table.",
            ),
            (
                "Questions and comments",
                "We hope that you find this brief of interest. Do not hesitate to reach out to the UN-ACT Regional Management Office in Bangkok with questions or comments.",
            ),
        ],
        "pages": 2,
    },
    {
        "slug": "un-act-april-2016-newsletter",
        "title": "UN-ACT April 2016 Newsletter",
        "kind": Publication.Kind.NEWSLETTER,
        "date": date(2016, 4, 28),
        "countries": GMS_COUNTRIES,
        "tags": ["Newsletter", "COMMIT"],
        "post": "un-act-april-2016-newsletter",
        "summary": "The latest information on human trafficking in the Greater Mekong Sub-region, April 2016 edition.",
        "sections": [
            (
                "In this edition",
                "All the latest information on human trafficking in the Greater Mekong Sub-region: news from the COMMIT Process, from national task forces and from our partners in civil society.",
            ),
            (
                "News from the region",
                "Country teams report on cross-border referral of survivors, on training for frontline officials, and on preparations for the next COMMIT Senior Officials Meeting.",
            ),
            (
                "Subscribe",
                "For an email version of this newsletter that is easier to manage and comes with an improved layout, subscribe to our mailing list on the UN-ACT website.",
            ),
        ],
    },
    {
        "slug": "un-act-brochure",
        "title": "The UN-ACT Brochure",
        "kind": Publication.Kind.BROCHURE,
        "date": date(2016, 3, 10),
        "countries": ["regional"],
        "tags": ["Brochure", "ASEAN", "COMMIT"],
        "post": "new-in-publications-the-un-act-brochure",
        "summary": (
            "The evolution of the project, and UN-ACT as coordinator and innovator at the intersection of "
            "governance, policy, research and direct interventions against trafficking in Southeast Asia."
        ),
        "sections": [
            (
                "Who we are",
                "UN-ACT, the United Nations Action for Cooperation against Trafficking in Persons, builds on the work of UNIAP and serves as the secretariat of the COMMIT Process.",
            ),
            (
                "Coordinator and innovator",
                "UN-ACT positions itself as a coordinator and an innovator at the strategic intersection of governance, policy, research and direct interventions in Southeast Asia's counter-trafficking efforts.",
            ),
            (
                "Where we work",
                "Cambodia, China, Lao PDR, Myanmar, Thailand and Viet Nam, with regional work through COMMIT and ASEAN.",
            ),
        ],
    },
    {
        "slug": "un-act-january-2016-newsletter",
        "title": "UN-ACT January 2016 Newsletter",
        "kind": Publication.Kind.NEWSLETTER,
        "date": date(2016, 1, 29),
        "countries": GMS_COUNTRIES,
        "tags": ["Newsletter", "COMMIT"],
        "post": "un-act-january-2016-newsletter",
        "summary": "The latest information on human trafficking in the Greater Mekong Sub-region, January 2016 edition.",
        "sections": [
            (
                "In this edition",
                "All the latest information on human trafficking in the Greater Mekong Sub-region, from the COMMIT Process to the work of our partners.",
            ),
            (
                "Looking back at 2015",
                "A year of new laws, more survivors supported and civil society taking part in the COMMIT Process.",
            ),
            (
                "Subscribe",
                "For an email version of this newsletter that is easier to manage and comes with an improved layout, subscribe to our mailing list on the UN-ACT website.",
            ),
        ],
    },
    {
        "slug": "commit-10-years-and-som-imm-video",
        "title": "COMMIT 10 Years and SOM/IMM Video",
        "kind": Publication.Kind.VIDEO,
        "date": date(2015, 9, 15),
        "countries": [*GMS_COUNTRIES, "regional"],
        "tags": ["COMMIT", "Video"],
        "post": "commit-10-years-and-som-imm-video",
        "summary": (
            "A short film on the 2015 COMMIT meeting in Phnom Penh and on ten years of the COMMIT "
            "Process against human trafficking in the Mekong region."
        ),
        "description": (
            "<p>In early 2015, ministers of the COMMIT countries convened in Phnom Penh, Cambodia, to "
            "celebrate the 10th anniversary of the Process and adopt a new Sub-Regional Plan of Action "
            "guiding its work over the next four years.</p>"
            "<p>This short film sums up the meeting and ten years of COMMIT: the six countries of the "
            "Greater Mekong Sub-region, governments working with civil society, the United Nations and "
            "partners, and UN-ACT as the secretariat of the Process. It has captions.</p>"
        ),
        "video": "commit-10-years",
    },
]


def _fonts():
    return {
        "title": ImageFont.load_default(size=72),
        "heading": ImageFont.load_default(size=46),
        "body": ImageFont.load_default(size=30),
        "small": ImageFont.load_default(size=24),
    }


def _cover_page(title, label, day, palette, fonts):
    top, bottom = palette
    page = Image.new("RGB", PAGE_SIZE, top)
    draw = ImageDraw.Draw(page)
    width, height = PAGE_SIZE
    for y in range(0, height, 4):
        mix = y / height
        colour = tuple(
            round(a + (b - a) * mix) for a, b in zip(top, bottom, strict=True)
        )
        draw.rectangle([0, y, width, y + 4], fill=colour)
    draw.rectangle([MARGIN, 180, MARGIN + 220, 300], fill=(255, 255, 255))
    draw.text((MARGIN + 30, 200), "UN", font=fonts["title"], fill=top)
    draw.text((MARGIN + 240, 200), "-ACT", font=fonts["title"], fill=(255, 255, 255))
    y = 620
    for line in textwrap.wrap(title, 24):
        draw.text((MARGIN, y), line, font=fonts["title"], fill=(255, 255, 255))
        y += 96
    draw.text(
        (MARGIN, y + 40), label.upper(), font=fonts["heading"], fill=(255, 230, 160)
    )
    draw.text(
        (MARGIN, height - 260),
        day.strftime("%B %Y"),
        font=fonts["heading"],
        fill=(255, 255, 255),
    )
    draw.text(
        (MARGIN, height - 190),
        "United Nations Action for Cooperation against Trafficking in Persons",
        font=fonts["small"],
        fill=(230, 240, 250),
    )
    return page


def _text_pages(title, sections, palette, fonts, minimum_pages, compact):
    """Pages of headed paragraphs (a page per section unless compact), numbered."""
    pages, draw, y = [], None, 0
    width, height = PAGE_SIZE

    def new_page():
        page = Image.new("RGB", PAGE_SIZE, (255, 255, 255))
        page_draw = ImageDraw.Draw(page)
        page_draw.rectangle([0, 0, width, 90], fill=palette[0])
        page_draw.text((MARGIN, 28), title, font=fonts["small"], fill=(255, 255, 255))
        pages.append(page)
        return page_draw, 190

    for heading, text in sections:
        if draw is None or not compact or y > height - 600:
            draw, y = new_page()
        draw.text((MARGIN, y), heading, font=fonts["heading"], fill=palette[1])
        y += 90
        for line in textwrap.wrap(text, 62):
            if y > height - 200:
                draw, y = new_page()
            draw.text((MARGIN, y), line, font=fonts["body"], fill=(28, 36, 48))
            y += 48
        y += 60
    while len(pages) < minimum_pages:
        draw, y = new_page()
        draw.text((MARGIN, y), "Notes", font=fonts["heading"], fill=palette[1])
        for row in range(18):
            line_y = y + 120 + row * 64
            draw.line(
                [(MARGIN, line_y), (width - MARGIN, line_y)],
                fill=(200, 208, 218),
                width=2,
            )
    for number, page in enumerate(pages, start=2):
        ImageDraw.Draw(page).text(
            (width - MARGIN - 40, height - 90),
            str(number),
            font=fonts["small"],
            fill=(80, 90, 105),
        )
    return pages


def make_pdf(title, label, day, sections, pages=None, palette_index=0):
    """A real multi-page PDF (cover plus text pages) as bytes."""
    fonts = _fonts()
    palette = PALETTES[palette_index % len(PALETTES)]
    cover = _cover_page(title, label, day, palette, fonts)
    body_pages = _text_pages(
        title,
        sections,
        palette,
        fonts,
        minimum_pages=(pages or 0) - 1,
        compact=pages == 2,
    )
    if pages:
        body_pages = body_pages[: pages - 1]
    buffer = io.BytesIO()
    cover.save(
        buffer,
        "PDF",
        save_all=True,
        append_images=body_pages,
        resolution=150.0,
        title=title,
        author="UN-ACT",
    )
    return buffer.getvalue()


def load(stdout, author=None):
    countries = {country.code: country for country in Country.objects.all()}
    created = 0
    for index, item in enumerate(PUBLICATIONS):
        if Publication.objects.filter(slug=item["slug"]).exists():
            continue
        publication = Publication(
            title=item["title"],
            slug=item["slug"],
            kind=item["kind"],
            summary=item["summary"],
            description=item.get("description")
            or "".join(
                f"<h2>{heading}</h2><p>{text}</p>"
                for heading, text in item["sections"][:3]
            ),
            publication_date=item["date"],
            external_url=item.get("external_url", ""),
            status=Publication.Status.PUBLISHED,
        )
        if "sections" in item:
            label = publication.get_kind_display()
            pdf = make_pdf(
                item["title"],
                str(label),
                item["date"],
                item["sections"],
                item.get("pages"),
                index,
            )
            publication.document = ContentFile(pdf, name=f"{item['slug']}.pdf")
        else:
            image = make_cover_image(
                item["title"],
                str(publication.get_kind_display()),
                width=900,
                height=1200,
            )
            publication.cover = ContentFile(image, name=f"{item['slug']}.jpg")
        if "video" in item:
            for field, suffix in (("video", "mp4"), ("captions", "vtt")):
                data = (ASSETS / f"{item['video']}.{suffix}").read_bytes()
                setattr(
                    publication,
                    field,
                    ContentFile(data, name=f"{item['video']}.{suffix}"),
                )
        publication_save(publication=publication)
        publication.countries.set(
            [countries[code] for code in item["countries"] if code in countries]
        )
        publication.tags.set(item["tags"])
        publication.related_posts.set(Post.objects.filter(slug=item["post"]))
        created += 1
    stdout.write(
        f"Publications: {created} created, {len(PUBLICATIONS) - created} already there."
    )
    load_editions(stdout)


# Thai and Khmer editions of the UN-ACT Brochure, written by the developers with
# machine assistance: drafts awaiting review by native speakers. The seed has no
# translated PDF, so each edition shares the English edition's file.
EDITIONS = {
    "un-act-brochure": {
        "th": {
            "title": "แผ่นพับแนะนำ UN-ACT",
            "slug": "แผ่นพับแนะนำ-un-act",
            "summary": (
                "พัฒนาการของโครงการ และบทบาทของ UN-ACT ในฐานะผู้ประสานงานและผู้ริเริ่มนวัตกรรม "
                "ณ จุดบรรจบของการอภิบาล นโยบาย การวิจัย และการดำเนินงานโดยตรง "
                "เพื่อต่อต้านการค้ามนุษย์ในเอเชียตะวันออกเฉียงใต้"
            ),
            "sections": [
                (
                    "เราคือใคร",
                    "UN-ACT หรือโครงการความร่วมมือแห่งสหประชาชาติเพื่อต่อต้านการค้ามนุษย์ "
                    "สานต่องานของ UNIAP และทำหน้าที่เป็นสำนักเลขาธิการของกระบวนการ COMMIT",
                ),
                (
                    "ผู้ประสานงานและผู้ริเริ่มนวัตกรรม",
                    "UN-ACT วางบทบาทของตนเป็นผู้ประสานงานและผู้ริเริ่มนวัตกรรม "
                    "ณ จุดบรรจบเชิงยุทธศาสตร์ของการอภิบาล นโยบาย การวิจัย "
                    "และการดำเนินงานโดยตรง ในความพยายามต่อต้านการค้ามนุษย์ของเอเชียตะวันออกเฉียงใต้",
                ),
                (
                    "พื้นที่ที่เราทำงาน",
                    "กัมพูชา จีน สปป.ลาว เมียนมา ไทย และเวียดนาม "
                    "รวมทั้งงานระดับภูมิภาคผ่านกระบวนการ COMMIT และอาเซียน",
                ),
            ],
        },
        "km": {
            "title": "ខិត្តប័ណ្ណ UN-ACT",
            "slug": "ខិត្តប័ណ្ណ-un-act",
            "summary": (
                "ការវិវត្តរបស់គម្រោង និងតួនាទីរបស់ UN-ACT ជាអ្នកសម្របសម្រួល និងអ្នកច្នៃប្រឌិត "
                "នៅចំណុចប្រសព្វនៃអភិបាលកិច្ច គោលនយោបាយ ការស្រាវជ្រាវ និងអន្តរាគមន៍ផ្ទាល់ "
                "ប្រឆាំងការជួញដូរមនុស្សនៅអាស៊ីអាគ្នេយ៍។"
            ),
            "sections": [
                (
                    "យើងជានរណា",
                    "UN-ACT ដែលជាសកម្មភាពរបស់អង្គការសហប្រជាជាតិ "
                    "សម្រាប់កិច្ចសហប្រតិបត្តិការប្រឆាំងការជួញដូរមនុស្ស បន្តការងាររបស់ UNIAP "
                    "និងបម្រើជាលេខាធិការដ្ឋាននៃដំណើរការ COMMIT។",
                ),
                (
                    "អ្នកសម្របសម្រួល និងអ្នកច្នៃប្រឌិត",
                    "UN-ACT កំណត់តួនាទីខ្លួនជាអ្នកសម្របសម្រួល និងអ្នកច្នៃប្រឌិត "
                    "នៅចំណុចប្រសព្វជាយុទ្ធសាស្ត្រនៃអភិបាលកិច្ច គោលនយោបាយ ការស្រាវជ្រាវ "
                    "និងអន្តរាគមន៍ផ្ទាល់ ក្នុងកិច្ចខិតខំប្រឹងប្រែងប្រឆាំងការជួញដូរមនុស្សនៅអាស៊ីអាគ្នេយ៍។",
                ),
                (
                    "តំបន់ដែលយើងធ្វើការ",
                    "កម្ពុជា ចិន សាធារណរដ្ឋប្រជាធិបតេយ្យប្រជាមានិតឡាវ មីយ៉ាន់ម៉ា ថៃ "
                    "និងវៀតណាម ព្រមទាំងការងារថ្នាក់តំបន់តាមរយៈដំណើរការ COMMIT និងអាស៊ាន។",
                ),
            ],
        },
    },
}


def load_editions(stdout):
    """The brochure's Thai and Khmer editions, made as an editor makes them ("Add
    translation": the PDF and cover shared), translated and published; once each.
    Each is linked to the announcing post's edition in its language."""
    added = 0
    for slug, editions in EDITIONS.items():
        original = Publication.objects.filter(slug=slug, language="en").first()
        if original is None:
            continue
        posts = list(original.related_posts.all())
        for language, item in editions.items():
            if Publication.objects.filter(
                translation_key=original.translation_key, language=language
            ).exists():
                continue
            edition = edition_translate(source=original, language=language)
            edition.title, edition.slug = item["title"], item["slug"]
            edition.summary = item["summary"]
            edition.description = "".join(
                f"<h2>{heading}</h2><p>{text}</p>" for heading, text in item["sections"]
            )
            edition.status = Publication.Status.PUBLISHED
            edition.save()
            edition.related_posts.set(
                Post.objects.filter(
                    translation_key__in=[post.translation_key for post in posts],
                    language=language,
                )
            )
            added += 1
    stdout.write(f"Publication editions: {added} added.")
