#!/usr/bin/env python3
"""Checks that the chapters are true: their commands, outputs, excerpts, diagrams and links.

    check_docs.py excerpts|links|diagrams|transcripts|all [--update] [--ladder PATH] [FILE...]

docs/checking.md is the reader's description of every convention checked here; this file is the
one program that reads them. Each problem is printed as `FILE:LINE: what is wrong`, as a compiler
prints an error, so an editor can jump to it. The exit status is 1 when anything failed.

Only Python's standard library is used, so that the checker runs wherever Debian's python3 does.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import dataclasses
import difflib
import os
import re
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.parse
from pathlib import Path

# Markdown files that no check reads, and why. Every other .md file of the repository is checked.
EXCLUDED = {
    "bench/RESULTS.md": "a measurement log, not a chapter: its commands start servers and take "
                        "minutes, and the numbers it shows are one machine's on one day",
}

DEFAULT_TIMEOUT = 180  # seconds for one command; the slowest chapter command takes well under it
DEFAULT_JOBS = 4       # files run at the same time: on 2 cores, the real-time chapters mostly wait


# --------------------------------------------------------------------------------------------------
# Reading a markdown file: its fenced blocks, and the prose around them.

@dataclasses.dataclass
class Block:
    """A fenced code block: ```lang ... ```."""
    line: int        # line number of the opening fence (1-based)
    end: int         # line number of the closing fence (or one past the file's end)
    lang: str        # the first word of the info string, "" if none
    indent: int      # the opening fence's indentation (a block inside a list item is indented)
    body: list       # the lines between the fences, that indentation removed


@dataclasses.dataclass
class Doc:
    path: Path       # absolute
    name: str        # as error lines show it: relative to the root
    lines: list      # the file's lines, without line ends
    blocks: list     # its fenced blocks, in order
    prose: list      # the lines again, with every line of a fenced block blanked


@dataclasses.dataclass
class Problem:
    name: str
    line: int
    message: str
    detail: list = dataclasses.field(default_factory=list)  # lines printed under the message

    def __str__(self):
        return "\n".join([f"{self.name}:{self.line}: {self.message}"] +
                         ["    " + line for line in self.detail])


FENCE_OPEN = re.compile(r"^( *)(`{3,}|~{3,})\s*([^\s`]*)")


def closes(line: str, fence: str) -> bool:
    """A closing fence uses the opening fence's character, at least as many times, and nothing else."""
    stripped = line.strip()
    return (len(stripped) >= len(fence) and set(stripped) == {fence[0]})


def parse_blocks(lines: list) -> list:
    blocks, n = [], 0
    while n < len(lines):
        opening = FENCE_OPEN.match(lines[n])
        if not opening:
            n += 1
            continue
        indent, fence, lang = len(opening[1]), opening[2], opening[3]
        end = n + 1
        while end < len(lines) and not closes(lines[end], fence):
            end += 1
        body = [unindent(line, indent) for line in lines[n + 1:end]]
        blocks.append(Block(n + 1, end + 1, lang, indent, body))
        n = end + 1
    return blocks


def unindent(line: str, indent: int) -> str:
    """Removes up to `indent` leading spaces, as markdown does inside an indented fence."""
    spaces = len(line) - len(line.lstrip(" "))
    return line[min(spaces, indent):]


def read_doc(path: Path, root: Path) -> Doc:
    lines = path.read_text(encoding="utf-8").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    blocks = parse_blocks(lines)
    prose = list(lines)
    for block in blocks:
        for n in range(block.line - 1, min(block.end, len(lines))):
            prose[n] = ""
    return Doc(path, display_name(path, root), lines, blocks, prose)


def display_name(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def block_after(doc: Doc, line: int):
    """The fenced block on the first non-blank line after `line`, or None."""
    n = line  # 0-based index of the line after `line`
    while n < len(doc.lines) and not doc.lines[n].strip():
        n += 1
    return next((b for b in doc.blocks if b.line == n + 1), None)


def write_lines(doc: Doc, lines: list):
    doc.path.write_text("\n".join(lines) + "\n", encoding="utf-8")


# --------------------------------------------------------------------------------------------------
# Which files are checked.

def markdown_files(root: Path) -> list:
    """Every .md file git knows of (committed, or new and not ignored), minus EXCLUDED.

    Untracked files count too, so that a new chapter is checked before its first commit. Outside a
    git checkout (the checker's own tests) every .md file under the root is taken."""
    try:
        listing = subprocess.run(
            ["git", "-C", str(root), "ls-files", "--cached", "--others", "--exclude-standard",
             "-z", "--", "*.md"], capture_output=True, check=True, text=True).stdout
        names = [name for name in listing.split("\0") if name]
    except (OSError, subprocess.CalledProcessError):
        names = [str(p.relative_to(root)) for p in root.rglob("*.md")]
    names = sorted(set(n for n in names if n not in EXCLUDED and (root / n).is_file()))
    return [root / name for name in names]


def chosen_files(root: Path, arguments: list) -> list:
    if not arguments:
        return markdown_files(root)
    files = []
    for argument in arguments:
        path = Path(argument)
        if not path.is_absolute() and not path.exists():
            path = root / argument  # a path given relative to the root
        files.append(path.resolve())
    return files


# --------------------------------------------------------------------------------------------------
# Excerpts: `<!-- excerpt: FILE REGION -->` and the fenced block after it hold a region of the source.

EXCERPT = re.compile(r"^\s*<!--\s*excerpt:\s*(\S+)\s+(\S+)\s*-->\s*$")
# A region marker is a comment line holding only [name]: `//! [name]` in C++ (Doxygen's snippet
# markers, which the sources already use), `# [name]` in a shell script or a CMake file.
REGION_MARKER = re.compile(r"^\s*(?://!|#)\s*\[([\w.-]+)\]\s*$")


def source_region(path: Path, region: str) -> list:
    """The lines between the two `[region]` markers, marker lines left out, common indent removed."""
    lines = path.read_text(encoding="utf-8").split("\n")
    marks = [n for n, line in enumerate(lines)
             if (m := REGION_MARKER.match(line)) and m[1] == region]
    if len(marks) != 2:
        raise LookupError(f"{len(marks)} marker lines for region [{region}] in {path.name} "
                          "(a region needs exactly two)")
    inside = [line for line in lines[marks[0] + 1:marks[1]] if not REGION_MARKER.match(line)]
    return [line.rstrip() for line in textwrap.dedent("\n".join(inside)).split("\n")]


def first_difference(shown: list, source: list) -> int:
    for n, (a, b) in enumerate(zip(shown, source)):
        if a != b:
            return n
    return min(len(shown), len(source))


def check_excerpt(doc, n, file, region, root, update, edits) -> list:
    """Checks the excerpt named on line n+1; with update, queues the rewrite in `edits` instead."""
    block = block_after(doc, n + 1)
    where = f"excerpt {file} [{region}]"
    if block is None:
        return [Problem(doc.name, n + 1, f"{where}: no fenced block follows the comment")]
    try:
        source = source_region(root / file, region)
    except (OSError, LookupError) as error:
        return [Problem(doc.name, n + 1, f"{where}: {error}")]
    shown = [line.rstrip() for line in block.body]
    if shown == source:
        return []
    if update:
        edits.append((block, source))
        return []
    k = first_difference(shown, source)
    detail = [f"chapter: {shown[k] if k < len(shown) else '(the excerpt ends here)'}",
              f"source:  {source[k] if k < len(source) else '(the region ends here)'}",
              "./run docs --update rewrites it from the source"]
    return [Problem(doc.name, block.line + 1 + k,
                    f"{where} differs from the source at line {k + 1} of the region", detail)]


def apply_block_edits(doc: Doc, edits: list):
    """Replaces the bodies of the given blocks, bottom first so that line numbers stay valid."""
    lines = list(doc.lines)
    for block, body in sorted(edits, key=lambda edit: -edit[0].line):
        pad = " " * block.indent
        lines[block.line:block.end - 1] = [pad + line if line else "" for line in body]
    write_lines(doc, lines)


def check_excerpts(doc: Doc, ctx) -> tuple:
    problems, edits, count = [], [], 0
    for n, line in enumerate(doc.prose):
        if "<!-- excerpt" not in line:
            continue
        count += 1
        match = EXCERPT.match(line)
        if not match:
            problems.append(Problem(doc.name, n + 1, "malformed excerpt comment; the form is "
                                    "<!-- excerpt: FILE REGION -->"))
            continue
        problems += check_excerpt(doc, n, match[1], match[2], ctx.root, ctx.update, edits)
    if edits:
        apply_block_edits(doc, edits)
        print(f"{doc.name}: rewrote {len(edits)} excerpt(s)", file=sys.stderr)
    return count, problems


# --------------------------------------------------------------------------------------------------
# Links: relative links and images must resolve; no Doxygen command, no backticks in a link's text.

CODE_MASK = "\x00"  # stands in for every character of an inline code span


def mask_code_spans(text: str) -> str:
    """Replaces each inline code span (backticks included) by CODE_MASK characters of equal length,
    so that nothing inside code is taken for a link, and positions in the text stay the same."""
    out, n = [], 0
    while n < len(text):
        if text[n] == "\\" and n + 1 < len(text):
            out.append(text[n:n + 2])
            n += 2
            continue
        if text[n] != "`":
            out.append(text[n])
            n += 1
            continue
        run = len(text[n:]) - len(text[n:].lstrip("`"))
        close = re.compile(r"(?<!`)`{%d}(?!`)" % run).search(text, n + run)
        if close is None:  # an unmatched run of backticks is literal text
            out.append(text[n:n + run])
            n += run
        else:
            out.append(CODE_MASK * (close.end() - n))
            n = close.end()
    return "".join(out)


def mask_html_comments(text: str) -> str:
    return re.sub(r"<!--.*?-->", lambda m: re.sub(r"[^\n]", " ", m[0]), text, flags=re.S)


def paragraphs(doc: Doc):
    """Yields (first line number, text) for each run of non-blank prose lines, code and comments masked."""
    start = None
    for n, line in enumerate(doc.prose + [""]):
        if line.strip() and start is None:
            start = n
        elif not line.strip() and start is not None:
            text = "\n".join(doc.prose[start:n])
            yield start + 1, mask_code_spans(mask_html_comments(text))
            start = None


# [text](target "title") and ![alt](target); the text may hold one level of brackets, as when an
# image is a link's text.
LINK = re.compile(r"(!?)\[((?:[^\[\]]|\[[^\[\]]*\])*)\]\(\s*(<[^>]*>|[^\s()]*(?:\([^\s()]*\)[^\s()]*)*)"
                  r"(?:\s+(?:\"[^\"]*\"|'[^']*'))?\s*\)")
REFERENCE_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:\s*(\S+)", re.M)
HTML_LINK = re.compile(r"<(?:a|img)\b[^>]*?\b(?:href|src)\s*=\s*\"([^\"]*)\"", re.I)
DOXYGEN_COMMAND = re.compile(r"(?<![\w\\])[\\@](snippet|dot|enddot|ref|subpage|page|anchor|image|"
                             r"copydoc|include|mainpage|dotfile)\b")
HEADING_ID = re.compile(r"^ {0,3}#{1,6}\s.*\{#[\w-]+\}\s*$", re.M)


def find_links(text: str, offset: int = 0):
    """Yields (position, text, target) of each inline link and image, including an image inside a
    link's text."""
    for match in LINK.finditer(text):
        yield offset + match.start(), match[2], match[3].strip("<>")
        yield from find_links(match[2], offset + match.start(2))


def line_of(first_line: int, text: str, position: int) -> int:
    return first_line + text.count("\n", 0, position)


def check_links(doc: Doc, ctx) -> tuple:
    problems, count = [], 0
    for first, text in paragraphs(doc):
        for position, link_text, target in find_links(text):
            count += 1
            line = line_of(first, text, position)
            if CODE_MASK in link_text:
                problems.append(Problem(doc.name, line, f"backticks in the text of a link to {target}: "
                                        "the site would show them; write the text without code"))
            problems += check_target(doc, line, target, ctx)
        for match in list(REFERENCE_DEFINITION.finditer(text)) + list(HTML_LINK.finditer(text)):
            count += 1
            problems += check_target(doc, line_of(first, text, match.start()), match[1], ctx)
        problems += doxygen_problems(doc, first, text)
    return count, problems


def doxygen_problems(doc: Doc, first: int, text: str) -> list:
    found = [(m.start(), f"Doxygen command {m[0]} in markdown: it shows as raw text on a code host "
                         "(see docs/checking.md for what to write instead)")
             for m in DOXYGEN_COMMAND.finditer(text)]
    found += [(m.start(), "heading ends in a Doxygen {#id}: use an <a id=\"...\"></a> before it, or "
                          "link to the heading's own slug")
              for m in HEADING_ID.finditer(text)]
    return [Problem(doc.name, line_of(first, text, position), message) for position, message in found]


def check_target(doc: Doc, line: int, target: str, ctx) -> list:
    if not target or re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", target):
        return []  # a URL (https:, mailto:) is not followed: the test must not need the network
    path_part, _, fragment = target.partition("#")
    path_part = urllib.parse.unquote(path_part.split("?")[0])
    fragment = urllib.parse.unquote(fragment)
    resolved = (doc.path.parent / path_part).resolve() if path_part else doc.path
    if not resolved.exists():
        return [Problem(doc.name, line, f"link to {target}: no file {display_name(resolved, ctx.root)}")]
    if not fragment:
        return []
    if resolved.is_dir():
        resolved = resolved / "README.md"  # a code host shows a folder's README
    if resolved.suffix != ".md":
        if re.fullmatch(r"L\d+(-L\d+)?", fragment):  # a code host's line anchors
            return []
        return [Problem(doc.name, line, f"link to {target}: a #fragment on a file that is not markdown")]
    if fragment not in ctx.anchors(resolved):
        return [Problem(doc.name, line, f"link to {target}: {display_name(resolved, ctx.root)} has "
                        f"no heading or <a id> '{fragment}'")]
    return []


ATX_HEADING = re.compile(r"^ {0,3}#{1,6}(?:\s+(.*?))?(?:\s+#+)?\s*$")
SETEXT_UNDERLINE = re.compile(r"^ {0,3}(=+|-+)\s*$")
HTML_ANCHOR = re.compile(r"<a\s[^>]*?\b(?:id|name)\s*=\s*\"([^\"]+)\"", re.I)


def heading_slug(heading: str) -> str:
    """The fragment a code host (GitHub) gives a heading: its text in lower case, punctuation
    dropped, spaces turned into hyphens."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link counts as its text
    text = re.sub(r"<[^>]+>", "", text).replace("`", "").lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors_of(path: Path) -> set:
    doc = read_doc(path, path.parent)
    anchors, seen = set(), {}
    for n, line in enumerate(doc.prose):
        heading = ATX_HEADING.match(line)
        text = (heading[1] or "") if heading else None
        if (text is None and n > 0 and doc.prose[n - 1].strip() and SETEXT_UNDERLINE.match(line)
                and not doc.prose[n - 1].lstrip().startswith(("|", "-", "*", "<"))):
            text = doc.prose[n - 1].strip()
        if text is not None:
            slug = heading_slug(text)
            # A repeated heading gets -1, -2, ... after its slug, as on the code host.
            anchors.add(f"{slug}-{seen[slug]}" if slug in seen else slug)
            seen[slug] = seen.get(slug, 0) + 1
        anchors.update(HTML_ANCHOR.findall(line))
    return anchors


# --------------------------------------------------------------------------------------------------
# Running commands (for diagrams and transcripts) with the built ladder and no rebuild.

class CommandTimeout(Exception):
    pass


def cli_environment(ladder: Path, shim_dir: Path) -> dict:
    """The environment for a chapter's commands: `ladder` on PATH is the given binary, and `./run`
    uses it too (LADDER_CLI), so that no command installs or builds anything."""
    (shim_dir / "ladder").symlink_to(ladder)
    env = dict(os.environ)
    env["PATH"] = f"{shim_dir}{os.pathsep}{env.get('PATH', '')}"
    env["LADDER_CLI"] = str(ladder)
    env["LC_ALL"] = "C.UTF-8"  # sorting and messages as on any other machine
    return env


def run_shell(command: str, ctx, env=None, cwd=None) -> tuple:
    """Runs one command with bash from the root, or from `cwd`: (exit status, stdout and stderr
    together)."""
    process = subprocess.Popen(["bash", "-c", command], cwd=cwd or ctx.root, env=env or ctx.env,
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, start_new_session=True)
    try:
        output, _ = process.communicate(timeout=ctx.timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # the whole group: a pipeline's every process
        process.communicate()
        raise CommandTimeout(command)
    return process.returncode, output.decode("utf-8", errors="replace")


def status_text(status: int) -> str:
    return f"was killed by signal {-status}" if status < 0 else f"exited with {status}"


# --------------------------------------------------------------------------------------------------
# Diagrams: `<!-- diagram: COMMAND -->` before an image; COMMAND draws the image into $OUT.

DIAGRAM = re.compile(r"^\s*<!--\s*diagram:\s*(.*?)\s*-->\s*$")
IMAGE_LINE = re.compile(r"^\s*!\[[^\]]*\]\(\s*([^\s)]+)")


def image_after(doc: Doc, n: int):
    """The image on the first non-blank line after line index n, or None."""
    n += 1
    while n < len(doc.lines) and not doc.lines[n].strip():
        n += 1
    match = IMAGE_LINE.match(doc.lines[n]) if n < len(doc.lines) else None
    return (doc.path.parent / match[1]).resolve() if match else None


def draw(command: str, ctx) -> bytes:
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "diagram.svg"
        env = dict(ctx.env, OUT=str(out))
        status, output = run_shell(command, ctx, env)
        if status != 0 or not out.exists():
            why = status_text(status) if status != 0 else "wrote nothing to $OUT"
            raise RuntimeError(f"{why}: {output.strip()[-300:]}")
        return out.read_bytes()


def check_diagram(doc: Doc, n: int, command: str, ctx) -> list:
    image = image_after(doc, n)
    if image is None:
        return [Problem(doc.name, n + 1, "a diagram comment must be followed by an image line ![alt](FILE)")]
    try:
        drawn = draw(command, ctx)
    except (RuntimeError, CommandTimeout) as error:
        return [Problem(doc.name, n + 1, f"diagram command `{command}` failed: {error}")]
    committed = image.read_bytes() if image.exists() else None
    if drawn == committed:
        return []
    if ctx.update:
        image.parent.mkdir(parents=True, exist_ok=True)
        image.write_bytes(drawn)
        print(f"{doc.name}: drew {display_name(image, ctx.root)}", file=sys.stderr)
        return []
    return [Problem(doc.name, n + 1, f"{display_name(image, ctx.root)} is not what `{command}` draws now",
                    diagram_difference(committed, drawn))]


def diagram_difference(committed, drawn) -> list:
    if committed is None:
        return ["the image file does not exist", "./run docs --update draws it"]
    old = committed.decode("utf-8", errors="replace").split("\n")
    new = drawn.decode("utf-8", errors="replace").split("\n")
    k = first_difference(old, new)
    return [f"first difference at line {k + 1} of the SVG:",
            f"committed: {old[k][:150] if k < len(old) else '(ends here)'}",
            f"drawn:     {new[k][:150] if k < len(new) else '(ends here)'}",
            "./run docs --update draws it again (review the picture before committing)"]


def check_diagrams(doc: Doc, ctx) -> tuple:
    problems, count = [], 0
    for n, line in enumerate(doc.prose):
        if "<!-- diagram" not in line:
            continue
        count += 1
        match = DIAGRAM.match(line)
        if not match or not match[1]:
            problems.append(Problem(doc.name, n + 1, "malformed diagram comment; the form is "
                                    "<!-- diagram: COMMAND -->"))
            continue
        ctx.drawn_images.add(image_after(doc, n))
        problems += check_diagram(doc, n, match[1], ctx)
    return count, problems


def orphan_images(ctx) -> list:
    """Every SVG in docs/img/ must be drawn by some diagram comment, or it could drift unseen."""
    folder = ctx.root / "docs" / "img"
    return [Problem(display_name(svg, ctx.root), 1, "no <!-- diagram: COMMAND --> draws this image")
            for svg in sorted(folder.glob("*.svg")) if svg.resolve() not in ctx.drawn_images]


# --------------------------------------------------------------------------------------------------
# Transcripts: the commands of `console` and `sh` blocks, run in order; outputs compared.

@dataclasses.dataclass
class Command:
    line: int              # where the command is written
    text: str              # what bash runs
    status: int = 0        # the exit status it must end with
    skip: str = ""         # a `# not run: REASON` reason: the command is not run
    output: list = None    # the output it must print, or None if the output is not compared


EXIT_MARKER = re.compile(r"\s#\s*exit\s+(\d+)\s*$")
NOT_RUN_MARKER = re.compile(r"(?:^|\s)#\s*not run:\s*(.*?)\s*$")
NOT_COMPARED_MARKER = re.compile(r"^#\s*output not compared:\s*(.*?)\s*$")
# A comment that looks like a marker but is not one exactly (`# exit: 1`, `# not-run`), which the
# test would otherwise silently read as a comment for the reader.
MARKER_LIKE = re.compile(r"#\s*(exit\b|not[ -]run|output not compared)", re.I)
COMMAND_LANGUAGES = ("console", "sh")
# Languages a command block might be written in by habit; the checker asks for console or sh, so
# that no command block is silently left unrun.
SHELL_LANGUAGES = ("bash", "shell", "zsh", "shell-session", "shellsession", "terminal")


def command_from(line: int, text: str, problems: list, name: str) -> Command:
    """A command with its end-of-line marker read: `# exit N` or `# not run: REASON`."""
    command = Command(line, text)
    if (match := EXIT_MARKER.search(text)):
        command.status = int(match[1])
    elif (match := NOT_RUN_MARKER.search(text)):
        command.skip = match[1]
        if not match[1]:
            problems.append(Problem(name, line, "`# not run:` needs a reason after the colon"))
    elif MARKER_LIKE.search(text):
        problems.append(Problem(name, line, "a comment that looks like a marker but is not one; "
                                "the markers are `# exit N` and `# not run: REASON`"))
    return command


def joined_lines(body: list, first_line: int):
    """Yields (line number, logical line): a line ending in a backslash goes on to the next."""
    n = 0
    while n < len(body):
        start, text = n, body[n]
        while text.endswith("\\") and n + 1 < len(body):
            n += 1
            text = text + "\n" + body[n]
        yield first_line + start, text
        n += 1


def block_level_skip(block: Block, name: str, problems: list):
    """The reason of a `# not run: REASON` first line, or None."""
    first = block.body[0].strip() if block.body else ""
    match = re.match(r"^#\s*not run:\s*(.*?)\s*$", first)
    if match and not match[1]:
        problems.append(Problem(name, block.line + 1, "`# not run:` needs a reason after the colon"))
    return match[1] if match else None


def sh_commands(block: Block, name: str, problems: list) -> list:
    skip = block_level_skip(block, name, problems)
    if skip is not None:
        return [Command(block.line + 1, "(the whole block)", skip=skip or "?")]
    commands = []
    for line, text in joined_lines(block.body, block.line + 1):
        if text.strip() and not text.lstrip().startswith("#"):
            commands.append(command_from(line, text.strip(), problems, name))
        elif MARKER_LIKE.search(text):
            problems.append(Problem(name, line, "a marker must end a command line (or be the "
                                    "block's first line, for `# not run:`)"))
    return commands


def console_commands(block: Block, name: str, problems: list) -> list:
    skip = block_level_skip(block, name, problems)
    if skip is not None:
        return [Command(block.line + 1, "(the whole block)", skip=skip or "?")]
    body, first_line = block.body, block.line + 1
    not_compared = NOT_COMPARED_MARKER.match(body[0].strip()) if body else None
    if not_compared:
        body, first_line = body[1:], first_line + 1
        if not not_compared[1]:
            problems.append(Problem(name, first_line - 1, "`# output not compared:` needs a reason"))
    commands = []
    for line, text in joined_lines(body, first_line):
        if text.startswith("$ "):
            commands.append(command_from(line, text[2:].strip(), problems, name))
            commands[-1].output = None if not_compared else []
        elif commands:
            if commands[-1].output is not None:
                commands[-1].output += text.split("\n")
        elif text.strip():
            problems.append(Problem(name, line, "a console block must start with a `$ ` command line"))
    return commands


def doc_commands(doc: Doc, problems: list) -> list:
    commands = []
    for block in doc.blocks:
        if block.lang == "console":
            commands += console_commands(block, doc.name, problems)
        elif block.lang == "sh":
            commands += sh_commands(block, doc.name, problems)
        elif block.lang in SHELL_LANGUAGES or (not block.lang and looks_like_commands(block)):
            problems.append(Problem(doc.name, block.line, f"a command block in ```{block.lang}: "
                                    "write ```console or ```sh so that the test runs it (or ```text "
                                    "if it is not a command)"))
    return commands


def looks_like_commands(block: Block) -> bool:
    first = next((line for line in block.body if line.strip()), "")
    return first.startswith(("$ ", "./run "))


# The `run` script's usage shows examples a reader will type; they are run like an `sh` block's
# commands. The usage cannot carry markers (a reader sees it), so a comment in `run` may show any of
# the examples as a `console` block would, each line after "#   ": its marker, what it must print.
USAGE_EXAMPLE = re.compile(r"^\s+(\./run\b.*?)(?:\s{2,}\S.*)?$")
COMMENT_TRANSCRIPT = "#   "


def usage_examples(lines: list) -> list:
    """(line number, command) of each `  ./run ...` line inside the usage's here-document."""
    examples, inside = [], False
    for n, line in enumerate(lines, 1):
        if re.match(r"^\s*cat <<\s*'?USAGE'?", line):
            inside = True
        elif inside and line.strip() == "USAGE":
            inside = False
        elif inside and (match := USAGE_EXAMPLE.match(line)):
            examples.append((n, match[1]))
    return examples


def comment_transcript(lines: list) -> Block:
    """The comment lines from the first "#   $ " on, while they start with "#   ", as a console block."""
    first = next((n for n, line in enumerate(lines) if line.startswith(COMMENT_TRANSCRIPT + "$ ")), None)
    if first is None:
        return Block(0, 0, "console", 0, [])
    end = first
    while end < len(lines) and lines[end].startswith(COMMENT_TRANSCRIPT):
        end += 1
    body = [line[len(COMMENT_TRANSCRIPT):] for line in lines[first:end]]
    return Block(first, end + 1, "console", 0, body)


def without_marker(text: str) -> str:
    return NOT_RUN_MARKER.sub("", EXIT_MARKER.sub("", text)).rstrip()


def run_usage_commands(path: Path, name: str, problems: list) -> list:
    lines = path.read_text(encoding="utf-8").split("\n")
    examples = usage_examples(lines)
    shown = {without_marker(c.text): c for c in console_commands(comment_transcript(lines), name, problems)}
    for text, command in shown.items():
        if text not in (example for _, example in examples):
            problems.append(Problem(name, command.line, f"`{text}` is not an example of the usage"))
    return [shown.get(text) or Command(n, text) for n, text in examples]


ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")
ELISION = "..."        # a line that stands for any number of lines
WILDCARD = "<...>"     # inside a line: any text


def clean(lines: list) -> list:
    """Trailing white space off every line, and trailing blank lines off the end."""
    lines = [line.rstrip() for line in lines]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def line_matches(pattern: str, line: str) -> bool:
    if WILDCARD not in pattern:
        return pattern == line
    parts = (re.escape(part) for part in pattern.split(WILDCARD))
    return re.fullmatch(".*".join(parts), line) is not None


def output_matches(expected: list, actual: list) -> bool:
    """Like a glob over lines: `...` matches any run of lines (back-tracking to the last `...` when a
    line fails), every other line matches one line."""
    i = j = 0
    star_i, star_j = -1, 0
    while j < len(actual):
        if i < len(expected) and expected[i] == ELISION:
            star_i, star_j, i = i, j, i + 1
        elif i < len(expected) and line_matches(expected[i], actual[j]):
            i, j = i + 1, j + 1
        elif star_i >= 0:
            star_j += 1
            i, j = star_i + 1, star_j
        else:
            return False
    return all(line == ELISION for line in expected[i:])


def output_difference(expected: list, actual: list) -> list:
    """What to show under the error: a unified diff, or for an elided output (whose diff would
    list every line the `...` stands for) the first shown line that is not printed."""
    if ELISION in expected:
        return elided_difference(expected, actual)
    return output_diff(expected, actual)


def elided_difference(expected: list, actual: list) -> list:
    """Follows the shown lines through the printed ones, in order, and reports where it stops."""
    j, anywhere = 0, False
    for i, pattern in enumerate(expected):
        if pattern == ELISION:
            anywhere = True
            continue
        candidates = range(j, len(actual) if anywhere else min(j + 1, len(actual)))
        m = next((m for m in candidates if line_matches(pattern, actual[m])), None)
        if m is None:
            return not_printed(i, pattern, actual[j:] if anywhere else actual[j:j + 8], anywhere)
        j, anywhere = m + 1, False
    return ["the output goes on after the last shown line (end the block with ... to allow it):"] + \
        ["  " + line for line in actual[j:j + 8]]


def most_alike(pattern: str, lines: list) -> list:
    """Up to three lines that begin most like the pattern (its wildcards left out)."""
    key = pattern.replace(WILDCARD, "")
    score = {line: difflib.SequenceMatcher(None, key, line[:len(key)]).ratio() for line in lines}
    return [line for line in sorted(score, key=score.get, reverse=True)[:3] if score[line] >= 0.5]


def not_printed(i: int, pattern: str, rest: list, anywhere: bool) -> list:
    if anywhere:  # the line may be far away: show the printed lines most like it
        nearest = most_alike(pattern, rest)
        return ([f"line {i + 1} of the shown output is not printed after the `...`: {pattern}",
                 "the printed lines most like it:"] + ["  " + line for line in nearest or ["(none)"]])
    return ([f"line {i + 1} of the shown output is not printed next: {pattern}", "printed instead:"]
            + ["  " + line for line in rest or ["(nothing more)"]])


def output_diff(expected: list, actual: list) -> list:
    """A unified diff; a wildcard line that matches a printed line is shown as that line, so that
    only the real differences stand out."""
    shown, j = list(expected), 0
    for k, pattern in enumerate(shown):
        if WILDCARD in pattern:
            m = next((m for m in range(j, len(actual)) if line_matches(pattern, actual[m])), None)
            if m is not None:
                shown[k], j = actual[m], m + 1
    diff = list(difflib.unified_diff(shown, actual, "shown in the chapter", "printed now", n=2,
                                     lineterm=""))
    return diff if len(diff) <= 80 else diff[:80] + [f"(and {len(diff) - 80} more diff lines)"]


# Commands the docs test refuses to run unless marked `# not run:`: they build (the test reuses the
# build it was given, and must not race the build that runs it) or they would run the tests, this
# one included, again.
BUILDS = re.compile(r"(?:^|[;&|(]\s*|\b[A-Z_][A-Z0-9_]*=\S*\s+)"  # a command's start
                    r"(?:(?:cmake|ctest|make|ninja)\b|\./run\s+(?:test|setup|check|docs)\b)")


def without_comment(text: str) -> str:
    """The command without the reader's comment after it, for error messages."""
    return re.sub(r"\s{2,}#.*$", "", text)


def run_one(command: Command, doc_name: str, ctx, cwd: Path) -> list:
    shown = without_comment(command.text)
    if BUILDS.search(command.text):
        return [Problem(doc_name, command.line, f"`{shown}` builds or runs the tests; the docs "
                        "test does neither: mark it `# not run: REASON`")]
    try:
        status, output = run_shell(command.text, ctx, cwd=cwd)
    except CommandTimeout:
        return [Problem(doc_name, command.line, f"`{shown}` did not finish in {ctx.timeout} s")]
    actual = clean(ANSI_ESCAPE.sub("", output).split("\n"))
    if command.output is not None and not output_matches(clean(command.output), actual):
        return [Problem(doc_name, command.line, f"the output of `{shown}` differs from the chapter",
                        output_difference(clean(command.output), actual))]
    if status != command.status:
        return [Problem(doc_name, command.line, f"`{shown}` {status_text(status)}, "
                        f"the chapter expects {command.status}", ["its last lines:"] + actual[-15:])]
    return []


def file_commands(doc_path: Path, ctx, problems: list) -> tuple:
    """(the name errors show, the commands) of a chapter, or of the `run` script's usage."""
    if doc_path.name == "run" and doc_path.parent == ctx.root:
        return "run", run_usage_commands(doc_path, "run", problems)
    doc = read_doc(doc_path, ctx.root)
    return doc.name, doc_commands(doc, problems)


def list_commands(files: list, ctx):
    """Prints every command the transcripts check would run, or skip, without running any."""
    for path in files:
        name, commands = file_commands(path, ctx, [])
        for command in commands:
            what = f"not run: {command.skip}" if command.skip else (
                f"exit {command.status}" + ("" if command.output is None else ", output compared"))
            print(f"{name}:{command.line}: {command.text}   [{what}]")


# Each file's commands run in a stage of their own: a temporary folder holding a symlink to every
# top-level entry of the checkout but runs/, and an empty runs/. The commands see the repository as
# a reader's shell does from its root, and what they save under runs/ (a monkey's first failing
# seed, the explorer's counterexample, read again by the next command) is theirs alone: files run
# in parallel without reading each other's half-written folders. A file left at the stage's top is
# reported, as one left in the checkout is (left_behind).

@contextlib.contextmanager
def stage(root: Path):
    with tempfile.TemporaryDirectory(prefix="ladder-docs-") as folder:
        where = Path(folder)
        for entry in root.iterdir():
            if entry.name != "runs":
                (where / entry.name).symlink_to(entry)
        (where / "runs").mkdir()
        yield where


def suspects(file_name: str, named_commands) -> list:
    """The first five commands, of (document, command) pairs, that name the file."""
    return [f"{doc}:{c.line}: {without_comment(c.text)}" for doc, c in named_commands
            if file_name in c.text and not c.skip][:5]


def left_on_stage(where: Path, name: str, commands: list) -> list:
    strays = sorted(entry.name for entry in where.iterdir()
                    if entry.name != "runs" and not entry.is_symlink())
    return [Problem(name, 1, f"a command left {stray} at the top of the checkout; write it under "
                    "runs/, which git ignores", suspects(stray, [(name, c) for c in commands]))
            for stray in strays]


def check_transcripts(doc_path: Path, ctx) -> tuple:
    """Runs one file's commands, top to bottom; returns (commands run, problems, skipped, timings)."""
    problems = []
    name, commands = file_commands(doc_path, ctx, problems)
    to_run = [command for command in commands if not command.skip]
    timings = []
    if not to_run:
        return 0, problems, len(commands), timings
    with stage(ctx.root) as where:
        for command in to_run:
            started = time.monotonic()
            problems += run_one(command, name, ctx, where)
            timings.append((time.monotonic() - started, f"{name}:{command.line}: {command.text}"))
        problems += left_on_stage(where, name, to_run)
    return len(to_run), problems, len(commands) - len(to_run), timings


def untracked_files(root: Path) -> set:
    """Files git does not know of and does not ignore: what a command would leave in the checkout."""
    try:
        listing = subprocess.run(["git", "-C", str(root), "ls-files", "--others", "--exclude-standard",
                                  "-z"], capture_output=True, check=True, text=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return set()
    return set(name for name in listing.split("\0") if name)


def left_behind(new_files: set, files: list, ctx) -> list:
    """A chapter's command must write under runs/ (ignored), or the test would leave the checkout
    dirty; each new file is reported with the commands that name it."""
    problems = []
    for name in sorted(new_files):
        problems.append(Problem(name, 1, "a chapter's command left this file in the checkout; write "
                                "it under runs/, which git ignores",
                                suspects(Path(name).name, all_commands(files, ctx))))
    return problems


def all_commands(files: list, ctx):
    for path in files:
        name, commands = file_commands(path, ctx, [])
        yield from ((name, command) for command in commands)


# --------------------------------------------------------------------------------------------------
# The driver: which checks, which files, the summary.

class Context:
    def __init__(self, options, env):
        self.root = options.root
        self.update = options.update
        self.timeout = options.timeout
        self.env = env
        self.drawn_images = set()
        self._anchors = {}

    def anchors(self, path: Path) -> set:
        if path not in self._anchors:
            self._anchors[path] = anchors_of(path)
        return self._anchors[path]


class Tally:
    def __init__(self):
        self.passed = self.failed = self.skipped = 0
        self.timings = []

    def add(self, check: str, name: str, count: int, problems: list, seconds=None, skipped=0):
        for problem in problems:
            print(problem, flush=True)
        self.failed += len(problems)
        self.passed += max(count - len(problems), 0)
        self.skipped += skipped
        took = f" in {seconds:.1f} s" if seconds is not None else ""
        verdict = f"{len(problems)} failed" if problems else "ok"
        print(f"[{check}] {name}: {count} checked{took}, {verdict}", file=sys.stderr, flush=True)


def run_file_check(check, function, files, ctx, tally):
    for path in (path for path in files if path.suffix == ".md"):
        doc = read_doc(path, ctx.root)
        count, problems = function(doc, ctx)
        if count or problems:
            tally.add(check, doc.name, count, problems)


def run_transcripts(files, ctx, tally, jobs):
    """Files run in parallel (each file's commands in order, as a reader would type them)."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = {pool.submit(check_transcripts, path, ctx): path for path in files}
        for future in concurrent.futures.as_completed(futures):
            path = futures[future]
            count, problems, skipped, timings = future.result()
            tally.timings += timings
            if count or problems or skipped:
                tally.add("transcripts", display_name(path, ctx.root), count, problems,
                          sum(seconds for seconds, _ in timings), skipped)


def find_ladder(options) -> Path:
    ladder = options.ladder or options.root / "build" / "release" / "tools" / "ladder" / "ladder"
    ladder = Path(ladder).resolve()
    if not os.access(ladder, os.X_OK):
        sys.exit(f"check_docs: no ladder CLI at {ladder}; build it (./run setup) or pass --ladder")
    return ladder


def parse_options(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("check", choices=["excerpts", "links", "diagrams", "transcripts", "all"])
    parser.add_argument("files", nargs="*", help="check only these files (default: every .md file)")
    parser.add_argument("--update", action="store_true",
                        help="rewrite excerpts and diagrams from the source and the commands")
    parser.add_argument("--ladder", type=Path, help="the built ladder CLI (default: the release build)")
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parents[2],
                        help="the repository's top (default: this script's)")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds per command")
    parser.add_argument("--jobs", type=int, default=DEFAULT_JOBS, help="files run at the same time")
    parser.add_argument("--list", action="store_true",
                        help="transcripts: list the commands, with their markers, and run none")
    parser.add_argument("--slowest", type=int, default=0, metavar="N",
                        help="list the N slowest commands at the end")
    options = parser.parse_intermixed_args(argv)  # file names may follow the options
    options.root = options.root.resolve()
    return options


def main(argv) -> int:
    options = parse_options(argv)
    checks = ["excerpts", "links", "diagrams", "transcripts"] if options.check == "all" else [options.check]
    files = chosen_files(options.root, options.files)
    if options.list:
        run_script = options.root / "run"
        list_commands(files + ([run_script] if not options.files and run_script.is_file() else []),
                      Context(options, {}))
        return 0
    tally = Tally()
    with tempfile.TemporaryDirectory(prefix="check_docs.") as shim_dir:
        needs_cli = "diagrams" in checks or "transcripts" in checks
        env = cli_environment(find_ladder(options), Path(shim_dir)) if needs_cli else dict(os.environ)
        ctx = Context(options, env)
        if "excerpts" in checks:  # first: a rewritten excerpt is then what the links check reads
            run_file_check("excerpts", check_excerpts, files, ctx, tally)
        if "links" in checks:
            run_file_check("links", check_links, files, ctx, tally)
        if "diagrams" in checks:
            run_file_check("diagrams", check_diagrams, files, ctx, tally)
            orphans = [] if options.files else orphan_images(ctx)
            if orphans:
                tally.add("diagrams", "docs/img", 0, orphans)
        if "transcripts" in checks:
            run_script = options.root / "run"
            extra = [run_script] if not options.files and run_script.is_file() else []
            before = untracked_files(options.root)
            run_transcripts(files + extra, ctx, tally, options.jobs)
            left = left_behind(untracked_files(options.root) - before, files + extra, ctx)
            if left:
                tally.add("transcripts", "the checkout", 0, left)
    report(tally, options.slowest)
    return 1 if tally.failed else 0


def report(tally: Tally, slowest: int):
    for seconds, what in sorted(tally.timings, reverse=True)[:slowest]:
        print(f"{seconds:7.1f} s  {what}", file=sys.stderr)
    skipped = f", {tally.skipped} not run" if tally.skipped else ""
    print(f"{tally.passed} passed, {tally.failed} failed{skipped}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
