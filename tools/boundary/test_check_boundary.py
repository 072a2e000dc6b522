#!/usr/bin/env python3
"""The boundary checker's own test: each rule it enforces, broken on purpose in a small tree.

The real test (`boundary`) passes on the real tree, which shows only that the tree is clean. This
one builds a miniature repository in a temporary folder (a core with a step.cpp and a header, a
level 4 model, a runtime header, a targets file as CMake writes it), checks that it passes, then
breaks one rule at a time and checks that the checker fails and names the file, the line and
the reason. Run by CTest as `boundary_selftest`; Python 3's standard library only.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
CHECKER = os.path.join(HERE, "check_boundary.py")

CLEAN_STEP = """\
#include "level3_pure/core/step.hpp"

#include <chrono>
#include <vector>

#include <fmt/format.h>

// A comment may name std::chrono::steady_clock::now(): comments are not code.
namespace core {
int step(int x) { return x + 1; }
}
"""

FILES = {
    "level3_pure/core/step.hpp": "#pragma once\n#include \"protocol/messages.hpp\"\nint step(int);\n",
    "level3_pure/core/step.cpp": CLEAN_STEP,
    "protocol/messages.hpp": "#pragma once\n#include <string>\n",
    "network/sim_network.hpp": "#pragma once\n#include <map>\n",
    "level3_pure/runtime/runtime.hpp": "#pragma once\n#include <boost/asio.hpp>\n",
    "level3_pure/sim/trace_file.hpp": "#pragma once\n#include <nlohmann/json.hpp>\n",
    "level4_explore/model.cpp": "#include \"level3_pure/core/step.hpp\"\n"
                                "#include \"level3_pure/sim/trace_file.hpp\"\n",
}


def targets_text(root: str, core_links: str = "ladder::protocol_types;fmt::fmt",
                 level4_links: str = "ladder::level3_sim") -> str:
    core = os.path.join(root, "level3_pure", "core")
    l4 = os.path.join(root, "level4_explore")
    return "\n".join([
        "# library|source dir|sources|link libraries, as CMake sees them",
        f"ladder_protocol_types|{root}/protocol||",
        f"ladder_network|{root}/network||nlohmann_json::nlohmann_json",
        f"ladder_level3_core|{core}|step.cpp|{core_links};ladder_warnings",
        f"ladder_level3_sim|{root}/level3_pure/sim||ladder::level3_core;ladder::network",
        f"ladder_level3_runtime|{root}/level3_pure/runtime||ladder::level3_core",
        f"ladder_level4|{l4}|model.cpp|{level4_links}",
        f"ladder_level4_pn|{l4}||",
        f"ladder_level4_graph|{l4}||",
    ]) + "\n"


class BoundaryTest(unittest.TestCase):
    def setUp(self) -> None:
        self.tmp = tempfile.TemporaryDirectory()
        self.root = self.tmp.name
        for rel, text in FILES.items():
            self.write(rel, text)
        self.write_targets()

    def tearDown(self) -> None:
        self.tmp.cleanup()

    def write(self, rel: str, text: str) -> None:
        path = os.path.join(self.root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)

    def write_targets(self, **links: str) -> None:
        self.write("targets.txt", targets_text(self.root, **links))

    def run_checker(self) -> tuple[int, str]:
        done = subprocess.run([sys.executable, CHECKER, "--root", self.root, "--targets",
                               os.path.join(self.root, "targets.txt")],
                              capture_output=True, text=True, timeout=60)
        return done.returncode, done.stdout + done.stderr

    def add_to_step(self, line: str) -> None:
        self.write("level3_pure/core/step.cpp", line + "\n" + CLEAN_STEP)

    def assert_fails(self, *needles: str) -> None:
        code, out = self.run_checker()
        self.assertEqual(code, 1, out)
        for needle in needles:
            self.assertIn(needle, out)

    def test_the_clean_tree_passes(self) -> None:
        code, out = self.run_checker()
        self.assertEqual(code, 0, out)
        self.assertIn("level 3's core: 3 files, includes and links within bounds", out)

    def test_asio_in_the_core_fails(self) -> None:
        self.add_to_step("#include <boost/asio.hpp>")
        self.assert_fails("level3_pure/core/step.cpp:1: includes <boost/asio.hpp>", "Asio is IO")

    def test_json_in_the_core_fails(self) -> None:
        self.add_to_step("#include <nlohmann/json.hpp>")
        self.assert_fails("level3_pure/core/step.cpp:1: includes <nlohmann/json.hpp>")

    def test_threads_and_files_in_the_core_fail(self) -> None:
        for header, why in (("thread", "threads"), ("fstream", "files"), ("random", "randomness")):
            with self.subTest(header=header):
                self.add_to_step(f"#include <{header}>")
                self.assert_fails(f"step.cpp:1: includes <{header}>", why)

    def test_a_clock_in_the_core_fails_but_not_in_a_comment(self) -> None:
        self.add_to_step("inline auto now_ms() { return std::chrono::steady_clock::now(); }")
        self.assert_fails("level3_pure/core/step.cpp:1: uses a clock (steady_clock)")

    def test_a_project_header_outside_the_core_fails_even_through_another(self) -> None:
        self.write("level3_pure/core/step.hpp",
                   "#pragma once\n#include \"network/sim_network.hpp\"\nint step(int);\n")
        self.assert_fails("level3_pure/core/step.hpp:2: includes \"network/sim_network.hpp\"",
                          "reached by level3_pure/core/step.cpp")

    def test_the_core_linking_the_simulated_network_fails(self) -> None:
        self.write_targets(core_links="ladder::protocol_types;ladder::network")
        self.assert_fails("ladder_level3_core links ladder_network")

    def test_level4_including_the_runtime_fails(self) -> None:
        self.write("level4_explore/model.cpp", "#include \"level3_pure/runtime/runtime.hpp\"\n")
        self.assert_fails("level4_explore/model.cpp:1: includes \"level3_pure/runtime/runtime.hpp\"",
                          "level 3's runtime")

    def test_level4_linking_the_runtime_fails(self) -> None:
        self.write_targets(level4_links="ladder::level3_sim;ladder::level3_runtime")
        self.assert_fails("ladder_level4 links ladder_level3_runtime")

    def test_a_unity_builds_generated_source_is_not_judged(self) -> None:
        unity = os.path.join(self.root, "build", "CMakeFiles", "ladder_level3_core.dir", "Unity",
                             "unity_0_cxx.cxx")
        step = os.path.join(self.root, "level3_pure", "core", "step.cpp")
        self.write(os.path.relpath(unity, self.root), f'#include "{step}"\n')
        text = targets_text(self.root).replace("|step.cpp|", f"|{unity};step.cpp|")
        self.write("targets.txt", text)
        code, out = self.run_checker()
        self.assertEqual(code, 0, out)

    def test_a_renamed_target_is_reported(self) -> None:
        text = targets_text(self.root).replace("ladder_level3_core|", "ladder_level3_kernel|")
        self.write("targets.txt", text)
        self.assert_fails("the target ladder_level3_core is not in the build")


if __name__ == "__main__":
    unittest.main()
