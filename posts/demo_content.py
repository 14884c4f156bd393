"""The demo content: the ten items of the programme's old front page, in its order.

Texts are the programme's own; dates, categories and tags are chosen to match them.
A link in a paragraph is written [text](target): the target is an address (http…, #…)
or a URL name and its arguments ("publications:detail un-act-brochure"), so the links
of the old page lead where the portal keeps those things now.
"""

CATEGORIES = {
    "News": "News from UN-ACT and its partners across the Greater Mekong Sub-region.",
    "Blog": "Reflections from the UN-ACT team. Comment directly in response to the blog.",
    "Publications": "Annual reports, briefs, brochures and research from UN-ACT.",
    "Newsletter": "UN-ACT's regular newsletter on human trafficking in the Greater Mekong Sub-region.",
    "Video": "Films from the COMMIT Process and UN-ACT's work.",
}

POSTS = [
    {
        "title": "UN-ACT 2015 Annual Report",
        "slug": "un-act-2015-annual-report",
        "category": "Publications",
        "tags": [
            "Annual report",
            "COMMIT",
            "ASEAN",
            "Cambodia",
            "China",
            "Lao PDR",
            "Myanmar",
            "Thailand",
            "Viet Nam",
            "Civil society",
        ],
        "publish_at": "2016-08-25 10:00",
        "external_url": "",
        "content_warning": "",
        "allow_comments": True,
        "paragraphs": [
            "UN-ACT is pleased to launch the\xa0[2015 Annual Report](publications:detail un-act-2015-annual-report), illustrating\xa0our\xa0"
            "progress across all Output areas; outlining\xa0case studies from the countries "
            "which we work in; and discussing cross-cutting issues including human rights and "
            "gender, constraints in implementation as well as the way forward for 2016 and "
            "beyond.",
            "Here some highlights on UN-ACT implementation and impact in 2015:",
            "1) 2911 trafficking survivors were referred and supported through national and "
            "transnational mechanisms across all 6 Greater Mekong Sub-region (GMS) countries, "
            "which is a 16% increase compared to 2014 and may be indicative of improved "
            "victim identification and referral mechanisms both within and between GMS "
            "countries;",
            "2) 6 major legal and policy improvements occurred in 2015, ranging from a "
            "revised penal code in Viet Nam incorporating men being forcibly exploited as "
            "cases of human trafficking; and strengthened M&E procedures in Cambodia for the "
            "implementation of minimum standards in victim protection; to the adopted "
            "anti-human trafficking law in Lao PDR, the first of its kind in the country;",
            "3) The COMMIT Process has continued to strengthen by functioning more "
            "effectively and by becoming more transparent, accountable and inclusive. During "
            "the 10th Senior\xa0Officials Meeting (SOM10)/4th Inter Ministerial Meeting "
            "(IMM4) held in Cambodia in 2015, civil society stakeholders participated "
            "side-by-side government representatives, presenting their challenges, lessons "
            "learnt and recommendations for strengthened cooperation\xa0going forward;",
            "4) Collaboration between ASEAN and COMMIT progressed significantly in 2015 "
            "through the joint development of common indicators of human trafficking and "
            "related forms of exploitation, co-sponsored by UN-ACT. These\xa0will enable "
            "frontline responders to identify potential victims of human trafficking, prior "
            "to more specialized screenings to determine their status. The indicators are "
            "expected to be endorsed by the ASEAN Senior Officials Meeting on Transnational "
            "Crime (SOMTC) and the COMMIT SOM in 2016 before localization and "
            "operationalization in national contexts;",
            "5) Research examining the experiences of Lao migrant workers who used "
            "recruitment agencies to obtain jobs in Thailand was conducted in 2015, with a "
            "final report\xa0expected to be published in mid-2016. The project is designed to "
            "inform the further development of regular labour migration mechanisms between "
            "the two countries, preventing abuse and exploitation as well as assisting those "
            "in need. Further, in response to increasing numbers of identified forced "
            "marriage cases between Cambodia and China, UN-ACT initiated a research project "
            "to identify vulnerability factors for this trafficking pattern\xa0as well as "
            "opportunities for protection interventions. A final report is set to be launched "
            "in 2016 as well.",
            "6) In preparation for the civil society\xa0session at SOM10/IMM4, relevant CSOs "
            "and NGOs from across the sub-region, with support from UN-ACT, established the "
            "Civil Society Platform (CSP) to COMMIT, and convened the CSP nationally and "
            "regionally to develop common positions and messages, which their selected "
            "representatives presented at the meeting. All GMS countries have since\xa0begun "
            "to engage civil society\xa0more regularly as reflected in 149 CSOs participating "
            "in national and regional COMMIT events\xa0in 2015, compared to 80 in 2014.",
            "Enjoy reading the full report, and we look forward to the years ahead working in "
            "partnership with key anti-trafficking stakeholders in the GMS and beyond to "
            "effectively counter human trafficking in the sub-region.",
        ],
    },
    {
        "title": "The UN Secretary-General’s Message on World Day Against Trafficking in Persons",
        "slug": "secretary-general-message-world-day-against-trafficking",
        "category": "News",
        "tags": [
            "World Day Against Trafficking",
            "Migration",
            "Refugees",
            "United Nations",
        ],
        "publish_at": "2016-07-30 09:00",
        "external_url": "",
        "content_warning": "",
        "allow_comments": False,
        "paragraphs": [
            "All over the world, tens of millions of people are desperately seeking refuge, "
            "many of them far from home and even farther from safety. Migrants and refugees "
            "face imposing physical obstacles and bureaucratic barriers. Sadly, they are also "
            "vulnerable to human rights violations and exploitation by human traffickers.",
            "Human traffickers prey on the most desperate and vulnerable. To end this "
            "inhumane practice, we must do more to shield migrants and refugees — and "
            "particularly young people, women and children – from those who would exploit "
            "their yearnings for a better, safer and more dignified future. We must govern "
            "migration in a safe and rights-based way, create sufficient and accessible "
            "pathways for the entry of migrants and refugees, and ultimately tackle the root "
            "causes of the conflicts – extreme poverty, environmental degradation and other "
            "crises which force people across borders, seas and deserts.",
            "These issues will be central to the UN Summit for Refugees and Migrants, to be "
            "held in New York on 19 September 2016. This meeting aims amongst other goals to "
            "win renewed commitment for intensified efforts to combat human trafficking and "
            "smuggling of migrants and refugees, ensure protection and assistance for the "
            "victims of trafficking and of abusive smuggling, as well as all those who suffer "
            "human rights violations and abuse in the course of large movements, and promote "
            "respect for international law, standards and frameworks.",
            "I call on every nation – whether country of origin, transit or destination – to "
            "recognize our shared responsibility. As a first step, we need a strong legal "
            "basis for action. I encourage all States to adopt and implement the UN "
            "Convention against Transnational Organized Crime and its protocol on human "
            "trafficking as well as all core international human rights instruments.",
            "On this World Day against Trafficking in Persons, I urge everyone to recommit to "
            "protect, respect and fulfill the human rights of all migrants and refugees. "
            "Creating and supporting well-governed, safe and human rights-based migration and "
            "asylum procedures will be an important step towards ending the abhorrent "
            "practice of profiting from human despair and misery.",
        ],
    },
    {
        "title": "‘The Global Effort Against Trafficking in Persons’: The latest Blog",
        "slug": "the-global-effort-against-trafficking-in-persons",
        "category": "Blog",
        "tags": ["World Day Against Trafficking", "COMMIT", "Advocacy"],
        "publish_at": "2016-07-29 15:00",
        "external_url": "",
        "content_warning": "",
        "allow_comments": True,
        "paragraphs": [
            "We have published the latest blog, ‘The Global Effort Against Trafficking in "
            "Persons’:",
            "In this piece, the UN-ACT team takes the opportunity of World Day Against "
            "Trafficking in Persons on 30 July to reflect upon the anti-human trafficking "
            "sector’s achievements, ongoing needs and priorities for the future.",
            "You can read this and every other UN-ACT blog in [our Blog section](posts:category blog).",
            "[What readers wrote](#comments) about this blog is below.",
        ],
    },
    {
        "title": "12 UN-ACT Results at a Glance",
        "slug": "12-un-act-results-at-a-glance",
        "category": "Publications",
        "tags": ["Results", "COMMIT", "Brief"],
        "publish_at": "2016-06-15 11:00",
        "external_url": "",
        "content_warning": "",
        "allow_comments": False,
        "paragraphs": [
            "Check out [this 2-pager](publications:detail 12-un-act-results-at-a-glance) providing a quick overview of 12 of UN-ACT’s key results "
            "over the last 2 years of programming. We hope that you find this to be of "
            "interest – and don’t hesitate to reach out for questions or comments!"
        ],
    },
    {
        "title": "‘Exploitation and Abuse of Migrant Domestic Workers in Saudi Arabia – A Lesson for "
        "Viet Nam’: The latest Blog",
        "slug": "exploitation-of-migrant-domestic-workers-in-saudi-arabia",
        "category": "Blog",
        "tags": ["Viet Nam", "Migrant workers", "Domestic work", "Labour migration"],
        "publish_at": "2016-05-20 10:00",
        "external_url": "",
        "content_warning": "Describes abuse and exploitation of domestic workers.",
        "allow_comments": True,
        "paragraphs": [
            "We have published the latest blog,\xa0‘Exploitation and Abuse of Migrant "
            "Domestic Workers in Saudi Arabia: A Lesson for Viet Nam’:",
            "In this piece, Kylie Luu from UN-ACT’s Regional Management Office discusses "
            "the\xa0Agreement of Manpower Cooperation between Viet Nam and Saudi Arabia "
            "signed in late 2014 and the general conditions for migrant workers – especially "
            "domestic helpers – in the latter. Factors such as gender inequality, the kafala "
            "system, ‘live-in’ arrangements and the use of irregular recruitment mechanisms "
            "including\xa0social media platforms contribute to migrant workers’ "
            "vulnerabilities to abuse and exploitation. With numbers of Vietnamese going to "
            "Saudi Arabia expected to increase as a result of the new agreement, the "
            "Vietnamese authorities need to prepare their citizens for life and work in the "
            "country, including for potential problems and opportunities to access "
            "assistance. Kylie also suggests that the government may want to join other "
            "important sending countries such as Indonesia and the Philippines, and advocate "
            "for structural changes to the\xa0kafala\xa0system and broader labour conditions "
            "in Saudi Arabia.",
            "You can read this and every other UN-ACT blog in [our Blog section](posts:category blog).",
            "[What readers wrote](#comments) about this blog is below.",
        ],
    },
    {
        "title": "UN-ACT April 2016 Newsletter",
        "slug": "un-act-april-2016-newsletter",
        "category": "Newsletter",
        "tags": ["Newsletter", "COMMIT"],
        "publish_at": "2016-04-28 10:00",
        "external_url": "",
        "content_warning": "",
        "allow_comments": False,
        "paragraphs": [
            "Click on\xa0[UN-ACT\xa0April\xa02016 Newsletter](publications:detail un-act-april-2016-newsletter)\xa0for all the latest information "
            "on human trafficking in the Greater Mekong Sub-region. For an email-based "
            "version of the newsletter that is easier to manage and comes with an improved\xa0"
            "layout, please [subscribe\xa0to our mailing list](newsletter:page)\xa0at the bottom of the "
            "website."
        ],
    },
    {
        "title": "New in ‘Publications’: The UN-ACT Brochure",
        "slug": "new-in-publications-the-un-act-brochure",
        "category": "Publications",
        "tags": ["Brochure", "ASEAN", "COMMIT"],
        "publish_at": "2016-03-10 10:00",
        "external_url": "",
        "content_warning": "",
        "allow_comments": False,
        "paragraphs": [
            "UN-ACT has published a new brochure outlining the evolution of the project and "
            "positioning UN-ACT as a\xa0‘coordinator’ and ‘innovator’ at the strategic "
            "intersection of governance, policy, research and direct interventions in "
            "Southeast Asia’s counter-trafficking efforts. You can access the publication by "
            "clicking on [this link](publications:detail un-act-brochure)."
        ],
    },
    {
        "title": "UN-ACT January 2016 Newsletter",
        "slug": "un-act-january-2016-newsletter",
        "category": "Newsletter",
        "tags": ["Newsletter", "COMMIT"],
        "publish_at": "2016-01-29 10:00",
        "external_url": "",
        "content_warning": "",
        "allow_comments": False,
        "paragraphs": [
            "Click on\xa0[UN-ACT\xa0January 2016 Newsletter](publications:detail un-act-january-2016-newsletter)\xa0for all the latest information "
            "on human trafficking in the Greater Mekong Sub-region. For an email-based "
            "version of the newsletter that is easier to manage and comes with an improved\xa0"
            "layout, please [subscribe\xa0to our mailing list](newsletter:page)\xa0at the bottom of the "
            "website."
        ],
    },
    {
        "title": "COMMIT 10 Years and SOM/IMM Video",
        "slug": "commit-10-years-and-som-imm-video",
        "category": "Video",
        "tags": [
            "COMMIT",
            "Cambodia",
            "China",
            "Lao PDR",
            "Myanmar",
            "Thailand",
            "Viet Nam",
            "Video",
        ],
        "publish_at": "2015-09-15 10:00",
        "external_url": "",
        "content_warning": "",
        "allow_comments": False,
        "paragraphs": [
            "The Coordinated Mekong Ministerial Initiative Against Trafficking, better known "
            "as the COMMIT Process, was established in 2004 at an inter-ministerial meeting "
            "between the 6 Greater Mekong Sub-region countries (GMS: Cambodia, China, Laos, "
            "Myanmar, Thailand and Viet Nam), in recognition of the scale, severity and "
            "cross-border dimension of human trafficking in the GMS.",
            "The COMMIT Process brings together government agencies, civil society, the "
            "United Nations and other international organizations as well as academia and the "
            "private sector for a more strategic, more coordinated and more collaborative "
            "response to human trafficking, both nationally and regionally.\xa0UN-ACT and its "
            "predecessor project, UNIAP, have functioned as the secretariat to COMMIT since "
            "the Process’ inception.",
            "In early 2015, ministers of the COMMIT countries convened in Phnom Penh, "
            "Cambodia to celebrate the 10th anniversary of the Process and adopt a new "
            "Sub-Regional Plan of Action guiding its work over the next 4 years. "
            "[This video](publications:detail commit-10-years-and-som-imm-video) "
            "is a documentation of the meeting as well as a reflection on 10 years of COMMIT "
            "through the eyes of many of the key actors involved in the Process.",
        ],
    },
    {
        "title": "UN-ACT in the EU Parliament",
        "slug": "un-act-in-the-eu-parliament",
        "category": "News",
        "tags": ["European Union", "Advocacy", "Human rights"],
        "publish_at": "2015-04-15 10:00",
        "external_url": "http://www.europarl.europa.eu/news/en/news-room/20150409IPR41273",
        "content_warning": "",
        "allow_comments": False,
        "paragraphs": [
            "UN-ACT was invited by the European Parliament’s Sub-Committee on Human Rights to "
            "address its\xa0hearing on ‘The fight against human trafficking in the EU’s "
            "external relations’.",
            "The Project’s\xa0task\xa0was to outline the global human trafficking situation "
            "including numbers and patterns, and to highlight regional trends and "
            "particularities in Southeast Asia and the Greater Mekong-Sub-region.",
            "Other presenters\xa0came from the ILO, La Strada International and the European "
            "Commission, and a Q&A session with\xa0EU Parliamentarians concluded the session.",
            "The hearing can be watched at the following link: "
            "[europarl.europa.eu](http://www.europarl.europa.eu/news/en/news-room/20150409IPR41273).",
            "The session was 1.5 hours; UN-ACT’s contributions can be followed starting at "
            "00:03:22 and again at 01:22:35.",
        ],
    },
]

# Approved comments on the blog posts, as readers of the old site left them
# (pseudonyms; no emails). A reply marked is_staff_reply comes from the programme.
COMMENTS = {
    "the-global-effort-against-trafficking-in-persons": [
        {
            "name": "Malis, Phnom Penh",
            "text": "Thank you for this reflection. The referral numbers are encouraging, "
            "but families in our province still do not know where to ask for help "
            "when a relative stops answering the phone abroad.",
            "replies": [
                {
                    "name": "UN-ACT team",
                    "staff": True,
                    "text": "Thank you, Malis. Each GMS country has a national hotline, and "
                    "COMMIT partners are working to make them better known in border "
                    "provinces. We will share the list in our next newsletter.",
                }
            ],
        },
        {
            "name": "Researcher in Bangkok",
            "text": "Good to see civil society at the table of the SOM/IMM. "
            "Will the common indicators with ASEAN be published in Thai as well?",
        },
    ],
    "exploitation-of-migrant-domestic-workers-in-saudi-arabia": [
        {
            "name": "Hoa",
            "text": "My cousin went through an agency found on social media. "
            "This piece explains why the contract she signed was not what she got.",
        },
    ],
}

# Thai and Khmer editions of two seed posts (docs/translation.md, "Editions"). Written
# by the developers with machine assistance: drafts awaiting review by native speakers.
# Links name the publication's edition in the same language. The images show English
# text, so their alt text says so. Slugs are short: in an address each Thai or Khmer
# letter takes 9 characters (unact.editions.ENCODED_SLUG_LIMIT).
EDITIONS = {
    "new-in-publications-the-un-act-brochure": {
        "th": {
            "title": "ใหม่ในหมวด ‘สิ่งพิมพ์’: แผ่นพับแนะนำ UN-ACT",
            "slug": "แผ่นพับ-un-act-ใหม่",
            "image_alt": "ภาพประกอบที่มีชื่อ UN-ACT และคำว่า “Publications”",
            "paragraphs": [
                "UN-ACT ได้จัดทำแผ่นพับฉบับใหม่ ซึ่งสรุปพัฒนาการของโครงการ "
                "และแสดงบทบาทของ UN-ACT ในฐานะ ‘ผู้ประสานงาน’ และ ‘ผู้ริเริ่มนวัตกรรม’ "
                "ณ จุดบรรจบเชิงยุทธศาสตร์ของการอภิบาล นโยบาย การวิจัย "
                "และการดำเนินงานโดยตรง ในความพยายามต่อต้านการค้ามนุษย์ของเอเชียตะวันออกเฉียงใต้ "
                "ท่านสามารถอ่านสิ่งพิมพ์นี้ได้โดย"
                "[คลิกที่ลิงก์นี้](publications:detail แผ่นพับแนะนำ-un-act)"
            ],
        },
        "km": {
            "title": "ថ្មីក្នុង ‘ឯកសារបោះពុម្ព’៖ ខិត្តប័ណ្ណ UN-ACT",
            "slug": "ខិត្តប័ណ្ណ-un-act-ថ្មី",
            "image_alt": "រូបភាពដែលមានឈ្មោះ UN-ACT និងពាក្យ “Publications”",
            "paragraphs": [
                "UN-ACT បានបោះពុម្ពខិត្តប័ណ្ណថ្មីមួយ ដែលរៀបរាប់អំពីការវិវត្តរបស់គម្រោង "
                "និងបង្ហាញតួនាទីរបស់ UN-ACT ជា ‘អ្នកសម្របសម្រួល’ និង ‘អ្នកច្នៃប្រឌិត’ "
                "នៅចំណុចប្រសព្វជាយុទ្ធសាស្ត្រនៃអភិបាលកិច្ច គោលនយោបាយ ការស្រាវជ្រាវ "
                "និងអន្តរាគមន៍ផ្ទាល់ ក្នុងកិច្ចខិតខំប្រឹងប្រែងប្រឆាំងការជួញដូរមនុស្សនៅអាស៊ីអាគ្នេយ៍។ "
                "អ្នកអាចអានឯកសារបោះពុម្ពនេះដោយ"
                "[ចុចលើតំណនេះ](publications:detail ខិត្តប័ណ្ណ-un-act)។"
            ],
        },
    },
    "the-global-effort-against-trafficking-in-persons": {
        "th": {
            "title": "‘ความพยายามระดับโลกในการต่อต้านการค้ามนุษย์’: บล็อกล่าสุด",
            "slug": "ความพยายามระดับโลก",
            "image_alt": "ภาพประกอบที่มีชื่อ UN-ACT และคำว่า “Blog”",
            "paragraphs": [
                "เราได้เผยแพร่บล็อกล่าสุด ‘ความพยายามระดับโลกในการต่อต้านการค้ามนุษย์’:",
                "ในบทความนี้ ทีมงาน UN-ACT ใช้โอกาสวันต่อต้านการค้ามนุษย์โลกในวันที่ 30 "
                "กรกฎาคม ทบทวนความสำเร็จของภาคส่วนการต่อต้านการค้ามนุษย์ "
                "ความต้องการที่ยังคงมีอยู่ และลำดับความสำคัญสำหรับอนาคต",
                "ท่านสามารถอ่านบล็อกนี้และบล็อกอื่น ๆ ทั้งหมดของ UN-ACT ได้ใน"
                "[หมวดบล็อกของเรา](posts:category blog)",
            ],
        },
        "km": {
            "title": "‘កិច្ចខិតខំប្រឹងប្រែងសកលប្រឆាំងការជួញដូរមនុស្ស’៖ ប្លុកថ្មីបំផុត",
            "slug": "ប្លុកថ្មីបំផុត",
            "image_alt": "រូបភាពដែលមានឈ្មោះ UN-ACT និងពាក្យ “Blog”",
            "paragraphs": [
                "យើងបានបោះពុម្ពផ្សាយប្លុកថ្មីបំផុត ‘កិច្ចខិតខំប្រឹងប្រែងសកលប្រឆាំងការជួញដូរមនុស្ស’៖",
                "ក្នុងអត្ថបទនេះ ក្រុមការងារ UN-ACT ឆ្លៀតឱកាសទិវាពិភពលោកប្រឆាំងការជួញដូរមនុស្ស "
                "នាថ្ងៃទី 30 ខែកក្កដា ដើម្បីឆ្លុះបញ្ចាំងអំពីសមិទ្ធផលរបស់វិស័យប្រឆាំងការជួញដូរមនុស្ស "
                "តម្រូវការដែលនៅបន្ត និងអាទិភាពសម្រាប់អនាគត។",
                "អ្នកអាចអានប្លុកនេះ និងប្លុកផ្សេងទៀតទាំងអស់របស់ UN-ACT នៅក្នុង"
                "[ផ្នែកប្លុករបស់យើង](posts:category blog)។",
            ],
        },
    },
}
