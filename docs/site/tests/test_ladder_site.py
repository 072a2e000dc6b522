"""Tests of docs/site/ladder_site.py: what Doxygen is handed for a page of plain markdown.

Run: python3 -m unittest discover -s docs/site/tests (the CTest test docs_site_filter).
"""

import sys
import tempfile
import textwrap
import unittest
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ beside the script in the source tree
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import ladder_site  # noqa: E402


def write(root: Path, rel: str, text: str):
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"))


class Site(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.root = Path(self.tmp.name) / "repo"
        write(self.root, "README.md", """
            # ladder

            Start with [the chapter](docs/01-ch.md).
            """)
        write(self.root, "docs/01-ch.md", """
            # Level 0: the chapter

            ## Part two: the `rest`

            ## Notes

            ## Notes

            | rule | what |
            |---|---|
            | <a id="v4"></a>V4 | a rule |
            """)
        write(self.root, "lvl/README.md", "# The folder\n\n## Usage\n")
        write(self.root, "lvl/thing.hpp", "/// \\file\n/// A header.\n")
        write(self.root, "lvl/thing.cpp", "int x = 1;\n")
        write(self.root, "lvl/tests/a_test.cpp", "int y = 2;\n")
        write(self.root, "plain/s.json", '{"a": 1}\n')
        self.build = Path(self.tmp.name) / "build"
        self.build.mkdir()
        (self.build / "sources.md").write_text("# placeholder\n")
        (self.build / "inputs.txt").write_text(
            f"root={self.root}\nmainpage=README.md\nsources={self.build / 'sources.md'}\n"
            "README.md\ndocs/01-ch.md\nlvl/README.md\nlvl/thing.hpp\n"
            "docs/02-x.md\ndocs/03-y.md\ndocs/04-z.md\n")
        self.inputs = ladder_site.Inputs(self.build / "inputs.txt")

    def tearDown(self):
        self.tmp.cleanup()

    def filtered(self, rel: str, text: str) -> str:
        write(self.root, rel, text)
        return ladder_site.Filter(self.inputs, self.root / rel).run((self.root / rel).read_text())

    def test_every_line_stays_on_its_line(self):
        text = textwrap.dedent("""
            # Title

            A [link whose text
            runs over](01-ch.md#notes) two lines, and <!-- a comment
            over two lines --> a [folder](../lvl/).

            ```console
            $ echo "[not a link](x.md)"
            ```

            ## One

            ## Two

            ## Three
            """).lstrip("\n")
        out = self.filtered("docs/02-x.md", text)
        self.assertEqual(out.split("\n")[:text.count("\n")], [
            "# Title {#md-docs-02-x}",
            "",
            "A ",
            "[link whose text runs over](@ref md-docs-01-ch_notes) two lines, and ",
            " a [folder](@ref md-lvl).",
            "",
            "```console",
            '$ echo "[not a link](x.md)"',
            "```",
            "",
            "## One {#md-docs-02-x_one}",
            "",
            "## Two {#md-docs-02-x_two}",
            "",
            "## Three {#md-docs-02-x_three}",
        ])
        self.assertTrue(out.endswith("\\tableofcontents\n"))

    def test_links_go_to_pages_fragments_headers_and_source_pages(self):
        out = self.filtered("docs/03-y.md", """
            # Y

            [a](01-ch.md) [b](01-ch.md#part-two-the-rest) [c](01-ch.md#notes-1) [d](01-ch.md#v4)
            [e](../README.md) [f](../lvl/#usage) [g](../lvl/thing.hpp) [h](../lvl/thing.cpp#L1)
            [i](../lvl/tests/) [j](../plain/s.json) [k](https://example.com) [l](#y)
            [m](01-ch.md#level-0-the-chapter) [n](missing.md) [o](`code` text)
            """)
        lines = out.split("\n")
        self.assertEqual(lines[2], "[a](@ref md-docs-01-ch) [b](@ref md-docs-01-ch_part-two-the-rest) "
                                   "[c](@ref md-docs-01-ch_notes-1) [d](@ref md-docs-01-ch_v4)")
        self.assertEqual(lines[3], "[e](@ref index) [f](@ref md-lvl_usage) [g](@ref lvl/thing.hpp) "
                                   "[h](@ref src-lvl-thing-cpp)")
        self.assertEqual(lines[4], "[i](@ref src-lvl-tests-dir) [j](@ref src-plain-s-json) "
                                   "[k](https://example.com) [l](@ref md-docs-03-y)")
        # A link to a page's first heading goes to the page; a missing file is left for Doxygen
        # (and check_docs.py) to report.
        self.assertEqual(lines[5], "[m](@ref md-docs-01-ch) [n](missing.md) [o](`code` text)")

    def test_headings_anchors_and_the_start_page(self):
        out = self.filtered("docs/01-ch.md", (self.root / "docs/01-ch.md").read_text())
        self.assertIn("## Part two: the rest {#md-docs-01-ch_part-two-the-rest}", out)
        self.assertIn("## Notes {#md-docs-01-ch_notes}\n\n## Notes {#md-docs-01-ch_notes-1}", out)
        self.assertIn("| \\anchor md-docs-01-ch_v4 V4 | a rule |", out)
        readme = self.filtered("README.md", (self.root / "README.md").read_text())
        self.assertTrue(readme.startswith("# ladder\n"))  # the start page keeps Doxygen's name

    def test_backticks_quotes_emphasis_and_figures(self):
        out = self.filtered("docs/04-z.md", """
            # Z

            See [the `lvl/` folder](../lvl/README.md).
            > "A pure function `step`", said **`Replica`** and *an `x`*; "plain" stays.
            ![The roles](img/roles.svg)
            Text with an inline ![icon](img/icon.svg).
            """).split("\n")
        self.assertEqual(out[2], "See [the lvl/ folder](@ref md-lvl).")
        self.assertEqual(out[3], '> &quot;A pure function `step`&quot;, said <b>`Replica`</b> and '
                                 '<em>an `x`</em>; &quot;plain&quot; stays.')
        self.assertEqual(out[4], '\\image html roles.svg "The roles"')
        self.assertEqual(out[5], "Text with an inline ![icon](img/icon.svg).")

    def test_the_sources_page_shows_every_linked_file_and_folder(self):
        write(self.root, "docs/05-w.md", "# W\n\n[t](../lvl/tests/) [c](../lvl/thing.cpp) "
                                         "[j](../plain/s.json) [h](../lvl/thing.hpp)\n")
        (self.build / "inputs.txt").write_text(
            (self.build / "inputs.txt").read_text() + "docs/05-w.md\n")
        page = ladder_site.sources_page(ladder_site.Inputs(self.build / "inputs.txt"))
        self.assertIn("\\page src-lvl-tests-dir lvl/tests/", page)
        self.assertIn('- \\ref src-lvl-tests-a-test-cpp "a_test.cpp"', page)
        self.assertIn("\\page src-lvl-tests-a-test-cpp lvl/tests/a_test.cpp\n\n"
                      "\\include{lineno} lvl/tests/a_test.cpp", page)
        self.assertIn("\\page src-lvl-thing-cpp lvl/thing.cpp\n\n\\include{lineno} lvl/thing.cpp", page)
        self.assertIn("\\page src-plain-s-json plain/s.json\n\n\\verbinclude plain/s.json", page)
        self.assertNotIn("src-lvl-thing-hpp", page)  # a public header has its own page

    def test_the_navigation_follows_the_reading_order(self):
        write(self.root, "docs/07-new.md", "# Level 9's new chapter, \"quoted\" & <tagged>\n")
        (self.build / "inputs.txt").write_text(
            (self.build / "inputs.txt").read_text() + "docs/07-new.md\n")
        order = self.build / "order.txt"
        order.write_text("# comment\n\n== Level 0\n  lvl/README.md | The folder {folder}\n"
                         "  docs/01-*.md | Chapter: {subtitle}\n")
        xml = ladder_site.layout(ladder_site.Inputs(self.build / "inputs.txt"), order)
        nav = xml[xml.index("<navindex>"):xml.index("</navindex>")]
        self.assertIn('<tab type="usergroup" url="[none]" title="Level 0">\n'
                      '      <tab type="user" url="@ref md-lvl" title="The folder lvl/"/>\n'
                      '      <tab type="user" url="@ref md-docs-01-ch" title="Chapter: The chapter"/>\n'
                      '    </tab>', nav)
        # A page the order does not place is still in the navigation, at the end.
        self.assertIn('<tab type="usergroup" url="[none]" title="More pages">\n'
                      '      <tab type="user" url="@ref md-docs-07-new" title="Level 9\'s new chapter, &quot;quoted&quot; &amp; &lt;tagged&gt;"/>',
                      nav)


if __name__ == "__main__":
    unittest.main()
