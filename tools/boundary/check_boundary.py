#!/usr/bin/env python3
"""The layering of level 3, checked: what the pure core and level 4's model may include and link.

Level 3's core (the library ladder_level3_core: Replica, Input, Action, step, the role table,
describe, the client state) is a pure function of its inputs. That is a promise the README makes;
this script makes it a test. It reads the include graph from the sources themselves, transitively
(every project header a source reaches is read too), and the link graph CMake wrote at configure
time (tools/boundary/CMakeLists.txt), and fails with the file, the line and the header when:

- the core includes anything but its own headers, the protocol's types (ladder_protocol_types),
  counter_spec's ids (history.hpp), network's ids (types.hpp), the standard library and fmt;
- the core includes a standard header that reaches outside (files, streams, threads, randomness,
  the C clock), or names a clock: <chrono> itself is allowed, since durations are arithmetic, but
  steady_clock, system_clock, ::now() and their kin are not (the core's time is the Input it is
  given);
- the core's link line reaches the simulated network (ladder_network), JSON, Asio or threads;
- level 4's model (level4_explore) includes or links level 3's runtime (level3_pure/runtime/: the
  node process, the durable log, the RESP door, the cluster file): it may use the core
  (level3_pure/core/) and the simulator's traces (level3_pure/sim/).

The rules are the tables below, written in terms of level 3's three rooms. Usage (CTest runs it):

    check_boundary.py --root SOURCE_DIR --targets BUILD_DIR/tools/boundary/targets.txt

Python 3 standard library only, like tools/docs/check_docs.py.
"""

from __future__ import annotations

import argparse
import fnmatch
import os
import re
import sys
from dataclasses import dataclass, field

# ---- the rules ----------------------------------------------------------------------------------

# The C++20 standard library's headers (the C ones in their <cxxx> form included).
STD_HEADERS = set("""
algorithm any array atomic barrier bit bitset cassert cctype cerrno cfenv cfloat charconv chrono
cinttypes climits clocale cmath codecvt compare complex concepts condition_variable coroutine
csetjmp csignal cstdarg cstddef cstdint cstdio cstdlib cstring ctime cuchar cwchar cwctype deque
exception execution expected filesystem format forward_list fstream functional future
initializer_list iomanip ios iosfwd iostream istream iterator latch limits list locale map
memory memory_resource mutex new numbers numeric optional ostream queue random ranges ratio regex
scoped_allocator semaphore set shared_mutex source_location span sstream stack stdexcept
stop_token streambuf string string_view syncstream system_error thread tuple type_traits
typeindex typeinfo unordered_map unordered_set utility valarray variant vector version
""".split())

# Standard headers the core may not include, and why: each reaches outside the function.
CORE_FORBIDDEN_STD = {
    "filesystem": "files", "fstream": "files", "cstdio": "files and streams",
    "iostream": "streams", "istream": "streams", "ostream": "streams", "syncstream": "streams",
    "streambuf": "streams",
    "thread": "threads", "mutex": "threads", "shared_mutex": "threads",
    "condition_variable": "threads", "future": "threads", "atomic": "threads",
    "stop_token": "threads", "semaphore": "threads", "latch": "threads", "barrier": "threads",
    "execution": "threads",
    "random": "randomness (a step draws nothing: the simulator holds the seed)",
    "ctime": "the C clock", "csignal": "signals", "locale": "the process's locale",
    "clocale": "the process's locale",
}

# fmt is allowed in the core: it only formats strings (describe(), the role table's messages),
# and g++ 12 has no <format>. Its headers that touch files, streams or clocks are not.
CORE_FORBIDDEN_FMT = {
    "fmt/os.h": "files", "fmt/ostream.h": "streams", "fmt/chrono.h": "clocks",
    "fmt/printf.h": "stdio",
}

# A clock, named in code (comments and strings are not code): the rule is "no clock", and
# <chrono>'s durations alone are not one.
CLOCK_USE = re.compile(
    r"\b(steady_clock|system_clock|high_resolution_clock|utc_clock|tai_clock|gps_clock|"
    r"file_clock|clock_gettime|gettimeofday|timespec_get)\b|\bnow\s*\(\s*\)|"
    r"\bstd::time\s*\(|\bstd::clock\s*\(")

# Link items that say "not pure", and why.
CORE_FORBIDDEN_LINKS = {
    "ladder_network": "the simulated network and the scenario parser",
    "ladder_network_real": "Asio, sockets and threads",
    "nlohmann_json::nlohmann_json": "JSON",
    "Boost::headers": "Asio",
    "Boost::boost": "Asio",
    "Threads::Threads": "threads",
}


@dataclass
class Rule:
    """What one group of libraries may include and link."""

    name: str
    targets: list[str]
    # Allow-list mode (the core): project headers matching these globs, plus the standard
    # library and fmt minus what the forbidden tables name. None: deny-list mode.
    allowed_project: list[str] | None = None
    # Deny-list mode (level 4): project headers matching these globs, and system headers with
    # these prefixes, are forbidden; everything else is allowed.
    forbidden_project: dict[str, str] = field(default_factory=dict)
    forbidden_system_prefixes: dict[str, str] = field(default_factory=dict)
    forbidden_links: dict[str, str] = field(default_factory=dict)
    no_clock: bool = False


RULES = [
    Rule(
        name="level 3's core",
        targets=["ladder_level3_core"],
        allowed_project=[
            # The core's own headers: its room, level3_pure/core/ (its .cpp files are the sources).
            "level3_pure/core/*.hpp", "level3_pure/core/detail/*.hpp",
            # The protocol's types (ladder_protocol_types): not the codec.
            "protocol/apply.hpp", "protocol/config.hpp", "protocol/messages.hpp",
            "protocol/variant.hpp",
            # Ids: a request's (client, seq) and the operation kinds; a node's id and time.
            "counter_spec/history.hpp", "network/types.hpp",
        ],
        forbidden_links=CORE_FORBIDDEN_LINKS,
        no_clock=True,
    ),
    Rule(
        name="level 4's model",
        targets=["ladder_level4", "ladder_level4_pn", "ladder_level4_graph"],
        forbidden_project={
            "level3_pure/runtime/*": "level 3's runtime (the node process, the durable log, the RESP door)",
            "network/udp_*.hpp": "real sockets",
            "network/fault_proxy.hpp": "real sockets",
            "network/inbox.hpp": "real sockets",
            "network/scheduling.hpp": "real time",
        },
        forbidden_system_prefixes={"boost/asio": "Asio (real IO)", "asio": "Asio (real IO)"},
        forbidden_links={
            "ladder_level3_runtime": "level 3's runtime (the node process, the durable log, the RESP door)",
            "ladder_network_real": "Asio, sockets and threads",
        },
    ),
]

# ---- reading the sources ------------------------------------------------------------------------

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')
SOURCE_SUFFIXES = (".cpp", ".cc", ".cxx", ".hpp", ".h")


def strip_comments_and_strings(text: str) -> str:
    """The text with comments and string/char literals blanked, newlines kept (lines stay)."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append("\n" * text.count("\n", i, j))
            i = j
        elif c in "\"'" and not (c == "'" and i > 0 and text[i - 1].isalnum()):  # 1'000 digits
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            out.append(c + c)
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


@dataclass
class Include:
    line: int
    system: bool  # <...>
    name: str  # as written
    resolved: str | None  # a project file, relative to the root, or None


class Tree:
    """The project's files, read once each."""

    def __init__(self, root: str):
        self.root = root
        self._includes: dict[str, list[Include]] = {}
        self._code: dict[str, list[str]] = {}

    def _read(self, rel: str) -> str:
        with open(os.path.join(self.root, rel), encoding="utf-8") as f:
            return f.read()

    def resolve(self, including: str, name: str, system: bool) -> str | None:
        candidates = [] if system else [os.path.join(os.path.dirname(including), name)]
        candidates.append(name)  # the repository root is the include root of every target
        for candidate in candidates:
            rel = os.path.normpath(candidate)
            if os.path.isfile(os.path.join(self.root, rel)):
                return rel
        return None

    def includes(self, rel: str) -> list[Include]:
        if rel not in self._includes:
            found = []
            for number, line in enumerate(self._read(rel).splitlines(), 1):
                m = INCLUDE.match(line)
                if m:
                    system = m.group(1) == "<"
                    found.append(Include(number, system, m.group(2),
                                         self.resolve(rel, m.group(2), system)))
            self._includes[rel] = found
        return self._includes[rel]

    def code_lines(self, rel: str) -> list[str]:
        if rel not in self._code:
            self._code[rel] = strip_comments_and_strings(self._read(rel)).splitlines()
        return self._code[rel]

    def closure(self, sources: list[str]) -> dict[str, list[str]]:
        """Every project file the sources reach, with the chain of files that reached it."""
        chains: dict[str, list[str]] = {}
        stack = [(s, [s]) for s in reversed(sources)]
        while stack:
            rel, chain = stack.pop()
            if rel in chains:
                continue
            chains[rel] = chain
            for inc in reversed(self.includes(rel)):
                if inc.resolved and inc.resolved not in chains:
                    stack.append((inc.resolved, chain + [inc.resolved]))
        return chains


# ---- the link graph CMake wrote -----------------------------------------------------------------


@dataclass
class Target:
    name: str
    source_dir: str
    sources: list[str]
    links: list[str]


def canonical(item: str) -> str:
    """ladder::x is the alias of ladder_x; $<LINK_ONLY:x> links x."""
    m = re.fullmatch(r"\$<LINK_ONLY:(.*)>", item)
    item = m.group(1) if m else item
    return "ladder_" + item[len("ladder::"):] if item.startswith("ladder::") else item


def read_targets(path: str) -> dict[str, Target]:
    targets = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            name, source_dir, sources, links = line.split("|")
            targets[name] = Target(name, source_dir, [s for s in sources.split(";") if s],
                                   [canonical(x) for x in links.split(";") if x])
    return targets


def link_paths(targets: dict[str, Target], start: str) -> dict[str, list[str]]:
    """Every library `start` links, directly or not, with the chain that brings it."""
    paths = {start: [start]}
    queue = [start]
    while queue:
        name = queue.pop(0)
        for dep in targets[name].links if name in targets else []:
            if dep not in paths:
                paths[dep] = paths[name] + [dep]
                queue.append(dep)
    return paths


# ---- judging ------------------------------------------------------------------------------------


def matches(rel: str, globs) -> str | None:
    for pattern in globs:
        if fnmatch.fnmatchcase(rel, pattern):
            return pattern
    return None


def system_verdict(rule: Rule, name: str) -> str | None:
    """Why `rule` forbids the system header <name>, or None."""
    if rule.allowed_project is not None:  # allow-list: the standard library and fmt
        if name in CORE_FORBIDDEN_STD:
            return f"<{name}> means {CORE_FORBIDDEN_STD[name]}"
        if name in STD_HEADERS:
            return None
        if name in CORE_FORBIDDEN_FMT:
            return f"<{name}> means {CORE_FORBIDDEN_FMT[name]}"
        if name.startswith("fmt/"):
            return None
        if name.startswith(("boost/asio", "asio")):
            return "Asio is IO"
        if name.startswith("nlohmann/"):
            return "JSON belongs to the simulator's and the runtime's files"
        return "only the standard library and fmt are allowed"
    for prefix, why in rule.forbidden_system_prefixes.items():
        if name.startswith(prefix):
            return why
    return None


def check_rule(rule: Rule, tree: Tree, targets: dict[str, Target]) -> tuple[list[str], int]:
    errors = []
    sources = []
    for name in rule.targets:
        if name not in targets:
            errors.append(f"{rule.name}: the target {name} is not in the build (was it renamed? "
                          "then update tools/boundary/check_boundary.py's RULES)")
            continue
        target = targets[name]
        for source in target.sources:
            if "/CMakeFiles/" in source:
                continue  # a unity build's generated file, which only #includes the real sources
            path = source if os.path.isabs(source) else os.path.join(target.source_dir, source)
            rel = os.path.relpath(path, tree.root)
            if rel.endswith(SOURCE_SUFFIXES):
                sources.append(rel)
        for dep, chain in link_paths(targets, name).items():
            if dep in rule.forbidden_links:
                errors.append(f"{name} links {dep} ({rule.forbidden_links[dep]}), through "
                              + " -> ".join(chain) + f": {rule.name} may not")

    files = tree.closure(sources)
    for rel, chain in files.items():
        reached = "" if len(chain) == 1 else " (reached by " + " -> ".join(chain[:-1]) + ")"
        for inc in tree.includes(rel):
            written = f"<{inc.name}>" if inc.system else f'"{inc.name}"'
            where = f"{rel}:{inc.line}: includes {written}"
            if inc.resolved is None:
                why = system_verdict(rule, inc.name)
                if not inc.system and why is None and rule.allowed_project is not None:
                    why = "a file this checker cannot find in the repository"
                if why:
                    errors.append(f"{where}: {rule.name} may not: {why}{reached}")
            elif rule.allowed_project is not None:
                if not matches(inc.resolved, rule.allowed_project) and inc.resolved not in sources:
                    errors.append(f"{where}: {rule.name} may not: {inc.resolved} is outside it, "
                                  "the protocol's types and the ids" + reached)
            else:
                pattern = matches(inc.resolved, rule.forbidden_project)
                if pattern:
                    errors.append(f"{where}: {rule.name} may not: "
                                  f"{rule.forbidden_project[pattern]}{reached}")
        if rule.no_clock:
            for number, code in enumerate(tree.code_lines(rel), 1):
                m = CLOCK_USE.search(code)
                if m:
                    errors.append(f"{rel}:{number}: uses a clock ({m.group(0).strip()}): "
                                  f"{rule.name} may not: its time is the Input it is given"
                                  + reached)
    return errors, len(files)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", required=True, help="the repository")
    parser.add_argument("--targets", required=True,
                        help="the libraries' sources and links, as CMake wrote them")
    args = parser.parse_args(argv)
    tree = Tree(os.path.abspath(args.root))
    targets = read_targets(args.targets)
    failed = False
    for rule in RULES:
        errors, count = check_rule(rule, tree, targets)
        if errors:
            failed = True
            for error in errors:
                print(f"error: {error}")
        else:
            print(f"{rule.name}: {count} files, includes and links within bounds "
                  f"({', '.join(rule.targets)})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
