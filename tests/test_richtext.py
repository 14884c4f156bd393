import pytest

from unact.richtext import sanitize_html, summarize

ATTACKS = [
    ("<p>Hi</p><script>alert(1)</script>", "<p>Hi</p>"),
    ('<img src="x.png" onerror="alert(1)" alt="a">', '<img src="x.png" alt="a">'),
    ('<a href="javascript:alert(1)">x</a>', "<a>x</a>"),
    ('<a href="JaVaScRiPt:alert(1)">x</a>', "<a>x</a>"),
    ('<a href="&#106;avascript:alert(1)">x</a>', "<a>x</a>"),
    ('<img src="data:image/png;base64,AAAA" alt="d">', '<img alt="d">'),
    ('<iframe src="https://evil.example/embed"></iframe>', ""),
    ('<iframe src="http://www.youtube-nocookie.com/embed/abc"></iframe>', ""),
    ('<iframe src="https://www.youtube.com.evil.example/embed/abc"></iframe>', ""),
    ('<svg onload="alert(1)"><circle r="5"/></svg>', ""),
    (
        '<p style="position:fixed;top:0;left:0;width:100%;height:100%">cover</p>',
        "<p>cover</p>",
    ),
    ('<div style="background:url(javascript:alert(1))">x</div>', "x"),
    ("<style>body{display:none}</style><p>ok</p>", "<p>ok</p>"),
    ('<p onclick="steal()">click</p>', "<p>click</p>"),
    ('<form action="/x"><input name="q"></form>', ""),
    ('<object data="x.swf"></object><embed src="x.swf">', ""),
    ("<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>", None),
    ("<!-- secret --><p>t</p>", "<p>t</p>"),
    ('<base href="https://evil.example/"><p>b</p>', "<p>b</p>"),
    ('<meta http-equiv="refresh" content="0;url=https://evil.example">', ""),
    ('<img src="x" width="100%" height="9e9">', '<img src="x">'),
]


@pytest.mark.parametrize("dirty,expected", ATTACKS)
def test_attacks_are_removed(dirty, expected):
    """Scripts, handlers, dangerous URLs, foreign iframes and styles never survive."""
    cleaned = sanitize_html(dirty)
    for marker in (
        "<script",
        "onerror",
        "onload",
        "onclick",
        "javascript:",
        "data:",
        "style",
        "evil.example",
        "<svg",
        "<form",
        "<base",
        "<meta",
    ):
        assert marker not in cleaned.lower()
    if expected is not None:
        assert cleaned == expected


LEGITIMATE = [
    "<h2>Highlights of 2015</h2>",
    "<p>Survivors were <strong>referred</strong> and <em>supported</em>.</p>",
    "<ol><li>2911 survivors</li><li>6 legal improvements</li></ol>",
    "<ul><li>Cambodia</li><li>Lao PDR</li></ul>",
    '<p><a href="https://www.unodc.org/">UNODC</a> and <a href="/posts/">our posts</a></p>',
    '<p><a href="mailto:info@example.org">Write to us</a></p>',
    '<figure><img src="/media/library/2016/04/meeting.jpg" alt="Ministers meet in Phnom Penh" width="800" height="533"><figcaption>SOM10/IMM4</figcaption></figure>',
    "<blockquote><p>Human traffickers prey on the most desperate.</p></blockquote>",
    '<table><caption>Referrals</caption><thead><tr><th scope="col">Year</th><th scope="col">Cases</th></tr></thead><tbody><tr><td>2014</td><td>2509</td></tr><tr><td>2015</td><td>2911</td></tr></tbody></table>',
    '<iframe src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ" title="COMMIT 10 years" width="560" height="315" allowfullscreen=""></iframe>',
    '<iframe src="https://player.vimeo.com/video/76979871" title="Hearing"></iframe>',
    "<h3>Next steps</h3><p>Line one<br>line two</p><hr>",
]


@pytest.mark.parametrize("html", LEGITIMATE)
def test_editorial_html_survives_unchanged(html):
    """What editors legitimately write comes out exactly as it went in."""
    assert sanitize_html(html) == html


def test_summary_is_plain_text_cut_with_ellipsis():
    html = "<p>" + " ".join(["word"] * 80) + "</p><p>&amp; more</p>"
    summary = summarize(html, words=10)
    assert summary == " ".join(["word"] * 10) + "…"
    assert "<" not in summarize("<p>A <strong>bold</strong> claim &amp; more</p>")
    assert (
        summarize("<p>A <strong>bold</strong> claim &amp; more</p>")
        == "A bold claim & more"
    )


YOUTUBE = (
    '<iframe src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ" title="Video">'
)
IFRAME_CONTENT = [
    YOUTUBE + "<img src=x onerror=alert(1)></iframe>",
    YOUTUBE + 'hello <b>bold</b> <a href="https://evil.example/">link</a></iframe>',
    YOUTUBE + "&lt;/iframe&gt;&lt;script&gt;alert(1)&lt;/script&gt;</iframe>",
    YOUTUBE.replace("<iframe", "<IFRAME") + "<p>paragraph</p></IFRAME >",
]


@pytest.mark.parametrize("dirty", IFRAME_CONTENT)
def test_nothing_survives_inside_an_allowed_iframe(dirty):
    """An email client or feed reader that drops the iframe would show what it holds."""
    cleaned = sanitize_html(dirty + "<p>after</p>")
    assert cleaned == (
        '<iframe src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ" title="Video"></iframe><p>after</p>'
    )


def test_a_refused_iframe_goes_with_its_content():
    assert (
        sanitize_html(
            '<iframe src="https://evil.example/">text <b>x</b></iframe><p>kept</p>'
        )
        == "<p>kept</p>"
    )


@pytest.mark.parametrize("value", ["¹²", "١٢", "１２", "12a", "123456"])
def test_dimensions_are_ascii_digits(value):
    assert (
        sanitize_html(f'<img src="/a.png" width="{value}" height="40">')
        == '<img src="/a.png" height="40">'
    )


@pytest.mark.django_db
def test_iframe_content_is_gone_on_save_and_on_output(client):
    """Saved through the model, and a row written before the fix, shown on its page."""
    from posts.models import Post

    from .factories import PostFactory

    post = PostFactory(body=IFRAME_CONTENT[0] + IFRAME_CONTENT[1])
    post.refresh_from_db()
    assert "onerror" not in post.body and "hello" not in post.body
    Post.objects.filter(pk=post.pk).update(
        body=IFRAME_CONTENT[1] + "<iframe>stale <i>text</i></iframe><p>end</p>"
    )
    html = client.get(post.get_absolute_url()).content.decode()
    assert "<p>end</p>" in html
    assert "hello" not in html and "evil.example" not in html and "stale" not in html
