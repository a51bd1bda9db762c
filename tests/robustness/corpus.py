"""Injection strings that an author, or a source record an automated writer copied from,
could put into a story. Each one tries to escape the place it lands: HTML text or an
attribute, a URL, a <script type="application/ld+json"> block, an XML feed, or Jinja."""

from __future__ import annotations

# Jinja syntax: if story text were ever rendered as a template, these would turn into
# the marker values below, which must therefore never appear in a page.
JINJA_PROBES = {
    "{{ 123456*2 }}": "246912",
    "{% for x in 'abc' %}loop-{{ x }}{% endfor %}": "loop-aloop-b",
    "{{ 'zq'|upper ~ 'XW' }}": "ZQXW",
}

INJECTIONS: tuple[str, ...] = (
    '<script>alert("t1")</script>',
    "<img src=x onerror=alert(2)>",
    '"><svg onload=alert(3)>',
    "'><iframe src=\"javascript:alert(4)\"></iframe>",
    "</script><script>alert(5)</script>",
    "</title><script>alert(6)</script>",
    "</textarea></noscript><script>alert(7)</script>",
    "]]><script>alert(8)</script>",
    "<![CDATA[<script>alert(9)</script>]]>",
    "<!-- hidden --><script>alert(10)</script>",
    "<!--",
    "--><script>alert(12)</script>",
    *JINJA_PROBES,
    "{{ config.__class__.__init__.__globals__ }}",
    "{# a Jinja comment #}",
    "javascript:alert(16)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxNyk8L3NjcmlwdD4=",
    "vbscript:msgbox(18)",
    " JaVaScRiPt:alert(19)",
    "line\u2028separator\u2029paragraph",
    "\"double\" 'single' `back` «guillemets» “curly” ‘curly’ ＂fullwidth＂ ‹›",
    '\\"; alert(22); //',
    "</style><style>body{display:none}</style>",
    '<a href="javascript:alert(24)">x</a>',
    '<math><mi xlink:href="javascript:alert(25)">x</mi></math>',
    "&lt;script&gt;alert(26)&lt;/script&gt;",
    "&#x3C;script&#x3E;alert(27)&#x3C;/script&#x3E;",
    "del\u007f next-line\u0085 csi\u009b are legal in XML 1.0",
    "\u202eoverride\u200bzero-width\ufeffbom",
    '<base href="https://evil.example/">',
    '<meta http-equiv="refresh" content="0;url=https://evil.example/">',
    '<form action="https://evil.example/"><input name=x autofocus onfocus=alert(33)></form>',
    '" onmouseover="alert(34)" x="',
    "%3Cscript%3Ealert(35)%3C/script%3E",
    '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>&e;',
    "${7*7} #{7*7} <%= 7*7 %>",
    "[md link](javascript:alert(38)) ![img](javascript:alert(38))",
    "</script><!--<script>",
    "\\u003cscript\\u003e and \\x3cscript\\x3e",
    "<x-custom onclick=alert(41)>custom</x-custom>",
    "<object data=\"data:text/html,<script>alert(42)</script>\"></object>",
)

# Markdown links and images whose targets must never become a working href/src.
HOSTILE_LINKS: tuple[str, ...] = (
    "[plain](javascript:alert(101))",
    "[upper](JAVASCRIPT:alert(102))",
    "[spaced]( javascript:alert(103))",
    "[entity](&#106;avascript:alert(104))",
    "[tab](java&#09;script:alert(105))",
    "[vb](vbscript:msgbox(106))",
    "[data](data:text/html;base64,PHNjcmlwdD4=)",
    "[data image](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "![image](javascript:alert(109))",
    "![data image](data:image/png;base64,iVBORw0KGgo=)",
    "<javascript:alert(111)>",
    "[ref][evil]\n\n[evil]: javascript:alert(112)",
    '[title attr](https://example.org/ "x\\" onmouseover=\\"alert(113)")',
    "[file](file:///etc/passwd)",
)

# C0 control characters (NUL included) can be neither shown nor written into an XML feed,
# even as character references; sitegen reports them as errors at their line.
CONTROL_INJECTIONS: tuple[str, ...] = (
    "nul\u0000byte",
    "bell\u0007backspace\u0008escape\u001b[31m",
    "vertical\u000btab and form\u000cfeed",
    "noncharacter\uffff",
)
