#!/usr/bin/env python3
"""The docs site's two helpers for Doxygen, run by docs/CMakeLists.txt.

    ladder_site.py filter --inputs LIST FILE     Doxygen's input filter for every .md file
    ladder_site.py layout --inputs LIST --order ORDER --out XML

The chapters are plain markdown written for a code host: relative links to other .md files, to
#fragments (a heading's slug, as the code host spells it, or an <a id="..."> anchor), to source
files and folders, and images from docs/img. Doxygen 1.9.4 knows none of the code host's heading
slugs and does not follow a link to a fragment, a source file or a folder, so the filter hands
Doxygen the same text with those links turned into Doxygen references that it resolves (and
warns about when they do not resolve):

- each heading gets an explicit label, "<page label>_<slug>", and each <a id="x"></a> becomes
  "\\anchor <page label>_x": labels are global in Doxygen, so the page's label is their prefix;
- a page's label is "md-<its path>" ("md-docs-01-level0"; the README is the start page, "index");
- [text](other.md#slug) becomes [text](@ref <label>), Doxygen's form of a reference (backticks
  dropped from the text, where Doxygen would show them);
- a link to a header that is part of the API reference goes to its file page; a link to any
  other file (a .cpp, a test, a scenario) goes to a page that shows that file, and a link to a
  folder without a README to a page that lists it: these pages are written by this filter when
  Doxygen reads the input "sources.md" that docs/CMakeLists.txt puts in the build tree;
- straight double quotes in prose become &quot; (Doxygen 1.9.4 leaves the markdown between two
  of them alone, so a quoted code span would show its backticks);
- bold or italics around a code span become <b> or <em> (Doxygen 1.9.4 often leaves the
  asterisks there);
- a heading loses its backticks (Doxygen 1.9.4's table of contents would show "<tt>");
- an image alone on its line becomes \\image (a figure with its alt text as caption, and a warning
  when the file is missing); HTML comments (the excerpt and diagram markers) are dropped;
- the page gets a table of contents when it has three headings or more.

Every line of the output is the line of the input, so Doxygen's warnings name the right line (the
only lines added are at the end of the file). The links are checked on the markdown side by
tools/docs/check_docs.py; this filter only translates them.

The layout command writes DoxygenLayout.xml: the site's navigation in the reading order written in
docs/site/reading-order.txt, titled with each page's first heading.
"""

import argparse
import fnmatch
import html
import os
import re
import sys
import urllib.parse
from pathlib import Path

# ------------------------------------------------------------------------------------------------
# The set of inputs, shared with the layout command.


class Inputs:
    """The files Doxygen reads (the list docs/CMakeLists.txt writes), relative to the repository."""

    def __init__(self, list_file: Path):
        lines = [line.strip() for line in list_file.read_text().splitlines() if line.strip()]
        values = dict(line.split("=", 1) for line in lines if "=" in line)
        self.root = Path(values["root"])
        self.mainpage = values.get("mainpage", "README.md")
        self.sources_page = Path(values["sources"])  # the build tree's sources.md
        self.files = [line for line in lines if "=" not in line]
        self.markdown = {f for f in self.files if f.endswith(".md")}
        self.headers = {f for f in self.files if not f.endswith(".md")}
        self._titles = {}

    def relative(self, path: Path):
        """The path relative to the repository, or None outside it."""
        try:
            return path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return None

    def page_label(self, rel: str) -> str:
        if rel == self.mainpage:
            return "index"
        explicit = self.heading_info(rel)[1]
        return explicit or "md-" + name_slug(re.sub(r"(^|/)README\.md$", "", rel).removesuffix(".md"))

    def heading_info(self, rel: str):
        """(title, explicit label or None, slug of the title) of a markdown file's first heading."""
        if rel not in self._titles:
            title, label = None, None
            try:
                text = (self.root / rel).read_text(encoding="utf-8")
            except OSError:
                text = ""
            for line in prose_lines(text.splitlines()):
                match = ATX_HEADING.match(line)
                if match:
                    title, label = split_label(match[2] or "")
                    break
            self._titles[rel] = (title, label, heading_slug(title) if title else None)
        return self._titles[rel]


def name_slug(text: str) -> str:
    """A path or fragment as a Doxygen label part: ASCII letters, digits and hyphens."""
    out = []
    for ch in text.lower():
        if ch.isascii() and ch.isalnum():
            out.append(ch)
        elif ch.isascii():
            out.append("-")
        else:
            out.append(f"u{ord(ch):x}")
    return re.sub(r"-+", "-", "".join(out)).strip("-")


def fragment_label(page: str, fragment: str) -> str:
    # "_" separates the page from the fragment, so a page's label and a fragment cannot combine
    # into another page's label (page labels have no "_").
    return f"{page}_{name_slug(fragment) or 'top'}"


# ------------------------------------------------------------------------------------------------
# Markdown structure: what tools/docs/check_docs.py reads the same way.

FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
ATX_HEADING = re.compile(r"^( {0,3}#{1,6})(?:\s+(.*?))?(?:\s+#+)?\s*$")
SETEXT_UNDERLINE = re.compile(r"^ {0,3}(=+|-+)\s*$")
LABEL = re.compile(r"\s*\{#([A-Za-z_][\w-]*)\}\s*$")
HTML_ANCHOR = re.compile(r"<a\s[^>]*?\b(?:id|name)\s*=\s*\"([^\"]+)\"[^>]*>(.*?)</a>", re.I | re.S)
HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
# [text](target "title") and ![alt](target), as tools/docs/check_docs.py reads them.
LINK = re.compile(r"(!?)\[((?:[^\[\]]|\[[^\[\]]*\])*)\]\(\s*(<[^>]*>|[^\s()]*(?:\([^\s()]*\)[^\s()]*)*)"
                  r"(?:\s+(?:\"[^\"]*\"|'[^']*'))?\s*\)")
URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
CODE_EXTENSIONS = {".cpp", ".hpp", ".h", ".cc", ".cxx", ".hh", ".py"}


DOXYGEN_COMMAND = re.compile(r"(?<![\w\\])[\\@](ref|image|snippet|include|anchor|page|subpage|dot|"
                             r"copydoc|verbinclude)\b")
QUOTE_FREE = re.compile(r"<[^>]*>|\]\([^)]*\)")


def quotes(line: str) -> str:
    """Straight double quotes as &quot; in prose: Doxygen 1.9.4 does no markdown between two of
    them, so a code span in a quotation would show its backticks. HTML tags, link targets, headings
    and lines with a Doxygen command (whose arguments may be quoted) keep theirs."""
    if '"' not in line or ATX_HEADING.match(line) or DOXYGEN_COMMAND.search(line):
        return line
    out, last = [], 0
    for match in QUOTE_FREE.finditer(line):
        out.append(line[last:match.start()].replace('"', "&quot;"))
        out.append(match[0])
        last = match.end()
    out.append(line[last:].replace('"', "&quot;"))
    return "".join(out)


# Bold may run over a line break (not over a blank line); italics stay on one line.
STRONG = re.compile(r"(?<![*\w])(\*\*|__)(?=[^\s*_])((?:(?!\n[ \t>]*\n).)+?)(?<=[^\s*_])\1(?![*\w])",
                    re.S)
EMPHASIS = re.compile(r"(?<![*\w])([*_])(?=[^\s*_])(.+?)(?<=[^\s*_])\1(?![*\w])")


def emphasis(line: str) -> str:
    """Bold and italics around a code span as HTML (<b>, <em>): Doxygen 1.9.4 leaves the asterisks
    when the span starts the emphasis or ends a sentence inside it (the code spans are masked here
    by mask_spans)."""
    if "\0" not in line or ATX_HEADING.match(line):
        return line
    line = STRONG.sub(lambda m: f"<b>{m[2]}</b>" if "\0" in m[2] else m[0], line)
    return EMPHASIS.sub(lambda m: f"<em>{m[2]}</em>" if "\0" in m[2] else m[0], line)


def split_label(heading: str):
    match = LABEL.search(heading)
    return (heading[:match.start()], match[1]) if match else (heading, None)


def heading_slug(heading: str) -> str:
    """The fragment a code host (GitHub) gives a heading: its text in lower case, punctuation
    dropped, spaces turned into hyphens (as tools/docs/check_docs.py computes it)."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)
    text = re.sub(r"<[^>]+>", "", text).replace("`", "").lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def prose_lines(lines):
    """The lines outside fenced code blocks (a fenced line is yielded as "")."""
    fence = None
    for line in lines:
        match = FENCE.match(line)
        if fence is None and match:
            fence = match[1]
            yield ""
        elif fence is not None:
            if match and match[1][0] == fence[0] and len(match[1]) >= len(fence) and \
                    not line.strip()[len(match[1]):].strip():
                fence = None
            yield ""
        else:
            yield line


def segments(lines):
    """Splits the lines into (is_code, [lines]) runs: fenced blocks and the prose between them."""
    out, fence, current = [], None, []
    for line in lines:
        match = FENCE.match(line)
        if fence is None and match:
            if current:
                out.append((False, current))
            current, fence = [line], match[1]
        elif fence is not None:
            current.append(line)
            if match and match[1][0] == fence[0] and len(match[1]) >= len(fence) and \
                    not line.strip()[len(match[1]):].strip():
                out.append((True, current))
                current, fence = [], None
        else:
            current.append(line)
    if current:
        out.append((fence is not None, current))
    return out


def mask_spans(text: str):
    """Code spans and HTML comments replaced by placeholders: (masked text, restore function)."""
    saved = []

    def keep(match):
        saved.append(match[0])
        return f"\x00{len(saved) - 1}\x00"

    text = re.sub(r"(`+)(?:(?!\1).|\n)*?(?<!`)\1(?!`)", keep, text)
    return text, lambda t: re.sub(r"\x00(\d+)\x00", lambda m: saved[int(m[1])], t)


# ------------------------------------------------------------------------------------------------
# The filter.


class Filter:
    def __init__(self, inputs: Inputs, path: Path):
        self.inputs = inputs
        self.path = path
        self.rel = inputs.relative(path) or path.name
        self.label = inputs.page_label(self.rel)
        self.linked = set()  # non-markdown files and folders this page links to

    def run(self, text: str) -> str:
        self.seen, self.first, self.sections = {}, True, 0
        out = []
        for is_code, block in segments(text.split("\n")):
            out += block if is_code else self.prose("\n".join(self.headings(block))).split("\n")
        result = "\n".join(out)
        if self.sections >= 3:
            result += "\n\n\\tableofcontents\n"
        return result

    def headings(self, block):
        """Labels on headings: the first heading names the page, the others get their slug."""
        block = list(block)
        for n, line in enumerate(block):
            match = ATX_HEADING.match(line)
            text = match[2] if match else None
            setext = False
            if (text is None and n > 0 and block[n - 1].strip() and SETEXT_UNDERLINE.match(line)
                    and not block[n - 1].lstrip().startswith(("|", "-", "*", "<"))):
                text, setext = block[n - 1].strip(), True
            if text is None:
                continue
            plain, explicit = split_label(text)
            # A repeated heading gets -1, -2, ... after its slug, as on the code host.
            slug = heading_slug(plain)
            anchor = f"{slug}-{self.seen[slug]}" if slug in self.seen else slug
            self.seen[slug] = self.seen.get(slug, 0) + 1
            first, self.first = self.first, False
            if not first:
                self.sections += 1
            if explicit:
                continue
            if first:
                label = None if self.label == "index" else self.label
            else:
                label = fragment_label(self.label, anchor)
            index = n - 1 if setext else n
            # Doxygen 1.9.4's table of contents shows a code span in a heading as raw "<tt>".
            block[index] = block[index].replace("`", "").rstrip()
            if label:
                block[index] += f" {{#{label}}}"
        return block

    def prose(self, text: str) -> str:
        text = HTML_COMMENT.sub(lambda m: "\n" * m[0].count("\n"), text)
        masked, restore = mask_spans(text)
        self.restore = restore
        masked = "\n".join(emphasis(quotes(line)) for line in masked.split("\n"))
        masked = STRONG.sub(lambda m: f"<b>{m[2]}</b>" if "\0" in m[2] else m[0], masked)
        masked = HTML_ANCHOR.sub(self.anchor, masked)
        masked = re.sub(r"^([ \t]*)!\[([^\]]*)\]\(([^)\s]+)\)[ \t]*$", self.figure, masked, flags=re.M)
        masked = LINK.sub(self.link, masked)
        return restore(masked)

    def anchor(self, match):
        inner = match[2]
        return f"\\anchor {fragment_label(self.label, match[1])} " + inner

    def figure(self, match):
        source = match[3]
        if URL.match(source):
            return match[0]
        alt = match[2].replace('"', "&quot;").replace("\n", " ")
        return f'{match[1]}\\image html {Path(source).name} "{alt}"'

    def link(self, match):
        image, text, target = match[1], match[2], match[3].strip("<>")
        if image or not target or URL.match(target):
            return match[0]
        ref = self.resolve(target)
        if ref is None:
            return match[0]
        # A code host shows a code span in a link's text as code; Doxygen would show its backticks.
        text = self.restore(text).replace("`", "")
        # Doxygen's own form of a reference as a markdown link, so that emphasis around it holds.
        # Its text must be on one line (Doxygen 1.9.4 turns it into a quoted \ref title): the line
        # breaks move before the link, or after it when the link starts a list item or a quote.
        breaks = "\n" * text.count("\n")
        link = f"[{' '.join(text.split())}](@ref {ref})"
        before = match.string[:match.start()].rsplit("\n", 1)[-1]
        if breaks and re.fullmatch(r"\s*(?:[-+*>]|\d+[.)])?\s*", before):
            return link + breaks
        return breaks + link

    def resolve(self, target: str):
        """The Doxygen label a relative link goes to, or None to leave the link as it is."""
        path_part, _, fragment = target.partition("#")
        path_part = urllib.parse.unquote(path_part.split("?")[0])
        fragment = urllib.parse.unquote(fragment)
        resolved = (self.path.parent / path_part).resolve() if path_part else self.path.resolve()
        rel = self.inputs.relative(resolved)
        if rel is None or not resolved.exists() or re.match(r"(build|runs)(/|$)", rel):
            # Outside the repository, missing (check_docs.py names it), or made by a build or a
            # run on this machine only: the link stays as it is.
            return None
        if resolved.is_dir():
            readme = f"{rel}/README.md" if rel != "." else "README.md"
            if readme in self.inputs.markdown:
                rel = readme
            else:
                self.linked.add(rel + "/")
                return source_label(rel + "/")
        if rel.endswith(".md"):
            if rel not in self.inputs.markdown:
                return None  # Doxygen's own link then warns that the page is not in the site
            page = self.inputs.page_label(rel)
            if not fragment or fragment == self.inputs.heading_info(rel)[2]:
                return page
            return fragment_label(page, fragment)
        if rel in self.inputs.headers:
            return rel  # the header's file page in the API reference
        self.linked.add(rel)
        return source_label(rel)


def source_label(rel: str) -> str:
    return "src-" + name_slug(rel.rstrip("/")) + ("-dir" if rel.endswith("/") else "")


# ------------------------------------------------------------------------------------------------
# The pages for linked sources and folders (the input sources.md in the build tree).


def sources_page(inputs: Inputs) -> str:
    linked = set()
    for rel in sorted(inputs.markdown):
        path = inputs.root / rel
        try:
            text = path.read_text(encoding="utf-8")
        except OSError:
            continue
        page = Filter(inputs, path)
        page.run(text)
        linked |= page.linked
    # A folder's page lists its files, and each of them gets a page too.
    for rel in sorted(r for r in linked if r.endswith("/")):
        for child in sorted((inputs.root / rel).iterdir()):
            child_rel = inputs.relative(child)
            if child.is_file() and child_rel not in inputs.markdown and is_text(child):
                if child_rel not in inputs.headers:
                    linked.add(child_rel)
    lines = ["# Source files linked from the chapters {#src-index}", "",
             "The chapters link to these files and folders; each page shows the file as it is "
             "in the repository.", ""]
    for rel in sorted(linked):
        lines.append(f'- \\ref {source_label(rel)} "{rel}"')
    for rel in sorted(linked):
        label = source_label(rel)
        lines += ["", f"\\page {label} {rel}", ""]
        if rel.endswith("/"):
            lines.append(f"The files of the folder `{rel}`:")
            lines.append("")
            for child in sorted((inputs.root / rel).iterdir()):
                child_rel = inputs.relative(child)
                if child_rel in inputs.markdown:
                    lines.append(f'- \\ref {inputs.page_label(child_rel)} "{child.name}"')
                elif child_rel in inputs.headers:
                    lines.append(f'- \\ref {child_rel} "{child.name}"')
                elif child.is_file() and is_text(child):
                    lines.append(f'- \\ref {source_label(child_rel)} "{child.name}"')
                elif child.is_dir():
                    lines.append(f"- `{child.name}/`")
        elif Path(rel).suffix in CODE_EXTENSIONS:
            lines.append(f"\\include{{lineno}} {rel}")
        else:
            lines.append(f"\\verbinclude {rel}")
    return "\n".join(lines) + "\n"


def is_text(path: Path) -> bool:
    try:
        return b"\0" not in path.read_bytes()[:4096] and path.stat().st_size < 1_000_000
    except OSError:
        return False


# ------------------------------------------------------------------------------------------------
# The navigation: DoxygenLayout.xml from the reading order.


def read_order(order_file: Path):
    """(group title or None, glob, title template) for each entry of reading-order.txt."""
    entries, group = [], None
    for line in order_file.read_text().splitlines():
        line = line.split(" #", 1)[0].rstrip() if not line.startswith("#") else ""
        if not line.strip():
            continue
        if line.startswith("== "):
            group = line[3:].strip()
            entries.append((group, None, None))
            continue
        glob, _, title = line.strip().partition("|")
        entries.append((group if line.startswith((" ", "\t")) else None, glob.strip(),
                        title.strip() or "{title}"))
        if not line.startswith((" ", "\t")):
            group = None
    return entries


def plain_title(title: str) -> str:
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", title or "")
    return re.sub(r"[`*]", "", text).strip()


def layout(inputs: Inputs, order_file: Path) -> str:
    placed, tree = set(), []  # tree: [(group, [(label, title)])] with group None for top level
    groups = {}
    pages = {rel for rel in inputs.markdown if (inputs.root / rel).is_file()}
    for group, glob, template in read_order(order_file):
        if glob is None:
            groups[group] = []
            tree.append((group, groups[group]))
            continue
        matches = sorted(f for f in pages if fnmatch.fnmatchcase(f, glob))
        for rel in matches:
            placed.add(rel)
            title = plain_title(inputs.heading_info(rel)[0]) or rel
            subtitle = title.split(": ", 1)[1] if ": " in title else title
            shown = template.format(title=title, subtitle=subtitle[:1].upper() + subtitle[1:],
                                    path=rel, folder=str(Path(rel).parent) + "/")
            entry = (inputs.page_label(rel), shown)
            if group is None:
                tree.append((None, [entry]))
            else:
                groups[group].append(entry)
    rest = sorted(pages - placed - {inputs.mainpage})
    if rest:
        tree.append(("More pages", [(inputs.page_label(r), plain_title(inputs.heading_info(r)[0])
                                     or r) for r in rest]))

    def attribute(text):
        # Doxygen's XML reader knows the five named entities, not numeric ones such as &#x27;,
        # so an apostrophe stays as it is and only the characters that must be escaped are.
        return html.escape(text, quote=False).replace('"', "&quot;")

    def tab(label, title, indent):
        return f'{indent}<tab type="user" url="@ref {label}" title="{attribute(title)}"/>'

    nav = []
    for group, entries in tree:
        if group is None:
            nav += [tab(label, title, "    ") for label, title in entries]
        elif entries:
            nav.append(f'    <tab type="usergroup" url="[none]" title="{attribute(group)}">')
            nav += [tab(label, title, "      ") for label, title in entries]
            nav.append("    </tab>")
    template = (Path(__file__).parent / "DoxygenLayout.xml.in").read_text()
    return template.replace("@NAVIGATION@", "\n".join(nav))


# ------------------------------------------------------------------------------------------------


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    f = sub.add_parser("filter", help="Doxygen's input filter for a .md file")
    f.add_argument("--inputs", type=Path, required=True)
    f.add_argument("file", type=Path)
    lay = sub.add_parser("layout", help="write DoxygenLayout.xml")
    lay.add_argument("--inputs", type=Path, required=True)
    lay.add_argument("--order", type=Path, required=True)
    lay.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    inputs = Inputs(args.inputs)
    if args.command == "filter":
        if args.file.resolve() == inputs.sources_page.resolve():
            text = sources_page(inputs)
        else:
            text = Filter(inputs, args.file).run(args.file.read_text(encoding="utf-8"))
        sys.stdout.write(text)
    else:
        text = layout(inputs, args.order)
        if not args.out.exists() or args.out.read_text() != text:
            args.out.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
