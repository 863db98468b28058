"""Hostile text for the "text is text" tests: names, comments and notes that would become links,
images, HTML or formatting if any page rendered them as Markdown."""

HOSTILE_NAMES: tuple[str, ...] = (
    "Eve [Reset your password](https://evil.example/login)",
    "![x](https://evil.example/p.png)",
    "https://evil.example",
    "www.evil.example",
    "a@evil.example",
    "<img src=x onerror=alert(1)>",
    "**bold**",
    "$x$",
    ":red[x]",
    ":material/warning:",
    "# heading",
    "<https://evil.example/auto>",
    "[x]: https://evil.example/ref",
    "`code` ~~gone~~ _em_",
    "- item",
    "1. list",
    "> quote",
    "&lt;b&gt; &#x3C;img src=x&#x3E;",
    "x :smile: y",
    "    indented code",
    "Ann: [x](https://evil.example/colon)",
    "<a href='https://evil.example/a'>click</a>",
)
# What none of the rendered pages may link to, load from or send a request to.
EVIL_HOST = "evil.example"
