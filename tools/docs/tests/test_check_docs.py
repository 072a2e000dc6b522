"""The docs checker's own test: a small chapter that is right passes every check, and the same
chapter made wrong in one way fails the check that guards against that kind of drift.

Run with: python3 -m unittest discover -s tools/docs/tests (CTest: docs_checker_selftest).
"""

import subprocess
import sys
import tempfile
import textwrap
import unittest
from pathlib import Path

CHECKER = Path(__file__).resolve().parents[1] / "check_docs.py"

# A stand-in for the ladder CLI, with a few verbs whose outputs the chapter below shows.
FAKE_LADDER = r"""#!/bin/sh
case "$1" in
  greet) echo "hello, $2" ;;
  verdict) echo "verdict: $2"; [ "$2" = ok ] ;;
  took) echo "finished in 0.$$ s" ;;
  count) i=1; while [ $i -le "$2" ]; do echo "line $i"; i=$((i + 1)); done ;;
  draw) printf '<svg>%s</svg>\n' "$2" > "$4" ;;
  sleep) sleep "$2" ;;
  *) echo "ladder: unknown verb $1" >&2; exit 2 ;;
esac
"""

# A stand-in for the repository's `run` script: a usage with examples, and the marker of one.
FAKE_RUN = r"""#!/bin/sh
# The docs test runs the usage's examples; these lines say what one of them prints:
#   $ ./run verdict lost   # exit 1
#   verdict: lost
usage() {
  cat <<'USAGE'
usage: ./run VERB
for example:
  ./run greet reader     says hello
  ./run verdict lost     a failing run
USAGE
}
[ "$1" = --help ] && { usage; exit 0; }
exec "$LADDER_CLI" "$@"
"""

SOURCE = """\
int unrelated;
//! [add]
int add(int a, int b) {
  return a + b;
}
//! [add]
namespace inner {
  //! [indented]
  int twice(int a) {
    return 2 * a;
  }
  //! [indented]
}
"""

OTHER = """\
# Other page

## A section

<a id="v4"></a>
**V4** a rule.
"""

CHAPTER = """\
# A chapter

See [a section](other.md#a-section), [the rule V4](other.md#v4), [this page](#a-chapter) and
[the source](../src/code.cpp), and a [link that wraps
across lines](other.md).

<!-- excerpt: src/code.cpp add -->
```cpp
int add(int a, int b) {
  return a + b;
}
```

1. An excerpt inside a list item:

   <!-- excerpt: src/code.cpp indented -->
   ```cpp
   int twice(int a) {
     return 2 * a;
   }
   ```

<!-- diagram: ladder draw pic -o $OUT -->
![a picture](img/pic.svg)

```console
$ ladder greet reader
hello, reader
$ ladder count 10
line 1
...
line 10
$ ladder took
finished in <...> s
$ ladder verdict lost   # exit 1
verdict: lost
```

```sh
ladder greet you
ladder verdict lost   # exit 1
false   # not run: it only fails
./run greet reader
mkdir -p runs && echo made > runs/made.txt
```

```console
$ cat runs/made.txt
made
```

```sh
# not run: the whole block would fail
false
```

```console
# output not compared: it differs from run to run
$ echo $$
12
```

Inline code such as `[a broken link](nowhere.md)` or `\\snippet` is not prose, nor is a block:

```text
[a broken link](nowhere.md) \\ref
$ false
```
"""


class CheckerTest(unittest.TestCase):
    def setUp(self):
        scratch = tempfile.TemporaryDirectory(prefix="check_docs_test.")
        self.addCleanup(scratch.cleanup)
        self.root = Path(scratch.name)
        files = {".gitignore": "/runs/\n", "docs/chapter.md": CHAPTER, "docs/other.md": OTHER, "src/code.cpp": SOURCE,
                 "docs/img/pic.svg": "<svg>pic</svg>\n", "bin/ladder": FAKE_LADDER, "run": FAKE_RUN}
        for name, text in files.items():
            (self.root / name).parent.mkdir(parents=True, exist_ok=True)
            (self.root / name).write_text(text)
        (self.root / "bin/ladder").chmod(0o755)
        (self.root / "run").chmod(0o755)
        # A git checkout, as the repository is: the checker asks git which files there are.
        subprocess.run(["git", "init", "-q", str(self.root)], check=True)

    def check(self, *arguments):
        """Runs the checker on the scratch tree: (exit status, its stdout)."""
        command = [sys.executable, str(CHECKER), *arguments, "--root", str(self.root),
                   "--ladder", str(self.root / "bin/ladder")]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
        return result.returncode, result.stdout

    def edit(self, name, old, new):
        path = self.root / name
        text = path.read_text()
        self.assertIn(old, text, "the edit must change the fixture")
        path.write_text(text.replace(old, new, 1))

    def assertFails(self, check, *needles, arguments=()):
        status, output = self.check(check, *arguments)
        self.assertEqual(status, 1, output)
        for needle in needles:
            self.assertIn(needle, output)

    def assertPasses(self, check, *arguments):
        status, output = self.check(check, *arguments)
        self.assertEqual(status, 0, output)


class RightChapter(CheckerTest):
    def test_every_check_passes(self):
        self.assertPasses("all")

    def test_commands_ran_in_a_stage_with_a_runs_folder_of_its_own(self):
        # The chapter writes runs/made.txt and shows it with `cat` (the output is compared); the
        # checkout's own runs/ is untouched.
        self.assertPasses("transcripts")
        self.assertFalse((self.root / "runs/made.txt").exists())


class Excerpts(CheckerTest):
    def test_a_changed_line_fails_and_names_the_region_and_line(self):
        self.edit("src/code.cpp", "return a + b;", "return b + a;")
        self.assertFails("excerpts", "docs/chapter.md:10: excerpt src/code.cpp [add] differs "
                         "from the source at line 2 of the region", "source:    return b + a;")

    def test_an_indented_excerpt_is_compared_too(self):
        self.edit("src/code.cpp", "return 2 * a;", "return a + a;")
        self.assertFails("excerpts", "excerpt src/code.cpp [indented] differs")

    def test_a_missing_region_fails(self):
        self.edit("docs/chapter.md", "src/code.cpp add -->", "src/code.cpp sub -->")
        self.assertFails("excerpts", "0 marker lines for region [sub]")

    def test_update_rewrites_the_excerpt(self):
        self.edit("src/code.cpp", "return 2 * a;", "return a + a;")
        self.assertPasses("excerpts", "--update")
        self.assertIn("     return a + a;\n", (self.root / "docs/chapter.md").read_text())
        self.assertPasses("excerpts")


class Links(CheckerTest):
    def test_a_missing_file_fails(self):
        self.edit("docs/chapter.md", "(../src/code.cpp)", "(../src/gone.cpp)")
        self.assertFails("links", "docs/chapter.md:4: link to ../src/gone.cpp: no file src/gone.cpp")

    def test_a_missing_heading_fails(self):
        self.edit("docs/chapter.md", "other.md#a-section", "other.md#b-section")
        self.assertFails("links", "other.md has no heading or <a id> 'b-section'")

    def test_a_missing_anchor_fails(self):
        self.edit("docs/other.md", '<a id="v4">', '<a id="v5">')
        self.assertFails("links", "link to other.md#v4")

    def test_a_wrapped_link_is_followed(self):
        self.edit("docs/chapter.md", "across lines](other.md)", "across lines](another.md)")
        self.assertFails("links", "docs/chapter.md:4: link to another.md")

    def test_backticks_in_a_link_text_fail(self):
        self.edit("docs/chapter.md", "[a section]", "[`a section`]")
        self.assertFails("links", "backticks in the text of a link")

    def test_doxygen_commands_fail(self):
        for command in ("\\snippet src/code.cpp add", "see @ref other", "\\dot", "\\ref other"):
            with self.subTest(command=command):
                self.setUp()
                self.edit("docs/chapter.md", "Inline code", command + "\n\nInline code")
                self.assertFails("links", "Doxygen command")

    def test_a_heading_id_fails(self):
        self.edit("docs/chapter.md", "# A chapter\n", "# A chapter {#chapter}\n")
        self.assertFails("links", "docs/chapter.md:1: heading ends in a Doxygen {#id}")


class Diagrams(CheckerTest):
    def test_a_stale_image_fails(self):
        (self.root / "docs/img/pic.svg").write_text("<svg>old</svg>\n")
        self.assertFails("diagrams", "docs/img/pic.svg is not what `ladder draw pic -o $OUT` draws")

    def test_update_draws_it_again(self):
        (self.root / "docs/img/pic.svg").write_text("<svg>old</svg>\n")
        self.assertPasses("diagrams", "--update")
        self.assertEqual((self.root / "docs/img/pic.svg").read_text(), "<svg>pic</svg>\n")

    def test_a_failing_command_fails(self):
        self.edit("docs/chapter.md", "ladder draw pic", "ladder paint pic")
        self.assertFails("diagrams", "diagram command `ladder paint pic -o $OUT` failed")

    def test_an_image_no_command_draws_fails(self):
        (self.root / "docs/img/hand-drawn.svg").write_text("<svg/>\n")
        self.assertFails("diagrams", "docs/img/hand-drawn.svg:1: no <!-- diagram: COMMAND -->")


class Transcripts(CheckerTest):
    def test_a_wrong_output_fails_with_a_diff(self):
        self.edit("docs/chapter.md", "hello, reader", "hello, writer")
        self.assertFails("transcripts", "docs/chapter.md:27: the output of `ladder greet reader` "
                         "differs", "-hello, writer", "+hello, reader")

    def test_an_elided_output_must_still_end_right(self):
        self.edit("docs/chapter.md", "line 10\n", "line 11\n")
        self.assertFails("transcripts", "the output of `ladder count 10` differs")

    def test_a_wildcard_matches_only_its_place(self):
        self.edit("docs/chapter.md", "finished in <...> s", "finished in <...> ms")
        self.assertFails("transcripts", "the output of `ladder took` differs")

    def test_a_wrong_exit_status_fails(self):
        self.edit("docs/chapter.md", "ladder verdict lost   # exit 1\nfalse", "ladder verdict lost\nfalse")
        self.assertFails("transcripts", "`ladder verdict lost` exited with 1, the chapter expects 0")

    def test_an_unexpected_success_fails(self):
        self.edit("docs/chapter.md", "$ ladder greet reader", "$ ladder greet reader   # exit 1")
        self.assertFails("transcripts", "exited with 0, the chapter expects 1")

    def test_an_output_not_compared_still_needs_its_exit_status(self):
        self.edit("docs/chapter.md", "$ echo $$", "$ false")
        self.assertFails("transcripts", "`false` exited with 1, the chapter expects 0")

    def test_a_command_that_runs_too_long_fails(self):
        self.edit("docs/chapter.md", "ladder greet you", "ladder sleep 30")
        self.assertFails("transcripts", "`ladder sleep 30` did not finish in 1.0 s",
                         arguments=("--timeout", "1"))

    def test_a_malformed_marker_fails(self):
        self.edit("docs/chapter.md", "false   # not run: it only fails", "false   # not-run")
        self.assertFails("transcripts", "looks like a marker but is not one")

    def test_a_command_that_builds_must_be_marked(self):
        self.edit("docs/chapter.md", "ladder greet you\n", "ctest -L docs   # the tests\n")
        self.assertFails("transcripts", "`ctest -L docs` builds or runs the tests")
        self.edit("docs/chapter.md", "ctest -L docs   # the tests", "ctest -L docs   # not run: slow")
        self.assertPasses("transcripts")

    def test_a_file_left_at_the_top_of_the_checkout_fails(self):
        self.edit("docs/chapter.md", "mkdir -p runs && echo made", "echo left > left.txt; echo made")
        self.assertFails("transcripts", "docs/chapter.md:1: a command left left.txt at the top",
                         "docs/chapter.md:44: echo left > left.txt")

    def test_a_file_left_in_a_folder_of_the_checkout_fails(self):
        self.edit("docs/chapter.md", "mkdir -p runs && echo made",
                  "echo left > docs/left.txt; echo made")
        self.assertFails("transcripts", "docs/left.txt:1: a chapter's command left this file",
                         "docs/chapter.md:44: echo left > docs/left.txt")

    def test_a_bash_block_fails(self):
        self.edit("docs/chapter.md", "```sh\nladder greet you", "```bash\nladder greet you")
        self.assertFails("transcripts", "a command block in ```bash")

    def test_a_run_usage_example_that_drifts_fails(self):
        self.edit("run", "./run greet reader     says", "./run grete reader     says")
        self.assertFails("transcripts", "run:9: `./run grete reader` exited with 2, the chapter "
                         "expects 0")

    def test_a_run_usage_marker_without_its_example_fails(self):
        self.edit("run", "./run verdict lost     a failing", "./run verdict won     a failing")
        self.assertFails("transcripts", "run:3: `./run verdict lost` is not an example of the usage")

    def test_a_run_usage_example_that_prints_something_else_fails(self):
        self.edit("run", "#   verdict: lost", "#   verdict: won")
        self.assertFails("transcripts", "run:3: the output of `./run verdict lost")

    def test_files_named_on_the_command_line_are_the_only_ones_run(self):
        self.edit("run", "./run greet reader     says", "./run grete reader     says")
        self.assertPasses("transcripts", "docs/chapter.md")


if __name__ == "__main__":
    unittest.main()
