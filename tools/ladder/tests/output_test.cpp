// The pieces the verbs print with: the painter, word wrapping and the demo's log lines.

#include <string>

#include <catch2/catch.hpp>

#include "tools/ladder/terminal.hpp"
#include "tools/ladder/trace_log.hpp"

namespace net = ladder::net;
namespace tools = ladder::tools;

TEST_CASE("a painter that is off leaves the text exactly as it is", "[output]") {
  const tools::Painter off(false);
  const tools::Painter on(true);
  CHECK(off.paint("LOST 3", tools::styles::bad) == "LOST 3");
  const std::string painted = on.paint("LOST 3", tools::styles::bad);
  CHECK(painted != "LOST 3");
  CHECK(painted.find("LOST 3") != std::string::npos);
  CHECK(painted.find("\033[") == 0);
}

TEST_CASE("wrap breaks prose at spaces within the width, indent included", "[output]") {
  CHECK(tools::wrap("one two three four", 12, "  ") == "  one two\n  three four\n");
  CHECK(tools::wrap("", 10, "  ").empty());
  // A word longer than the width gets a line of its own rather than being cut.
  CHECK(tools::wrap("a incomprehensibilities b", 8, "") == "a\nincomprehensibilities\nb\n");
}

TEST_CASE("the demo's log marks drops, faults and notes in the margin", "[output]") {
  const net::Topology topology{3, 1};
  const tools::Painter off(false);
  net::TraceEvent drop{120, net::TraceKind::drop, 3, 1, "store 35", "random"};
  const std::string drop_line = tools::render_trace_line(drop, topology, off);
  CHECK(drop_line.starts_with("x "));
  CHECK(drop_line.find("c0 -> r1") != std::string::npos);
  CHECK(drop_line.find("DROPPED: lost at random") != std::string::npos);

  net::TraceEvent crash{60, net::TraceKind::crash, 0, 0, "", ""};
  CHECK(tools::render_trace_line(crash, topology, off).starts_with("! "));
  net::TraceEvent client_note{70, net::TraceKind::note, 3, 3, "invoke add(+3)", ""};
  CHECK(tools::render_trace_line(client_note, topology, off).starts_with("> "));
  net::TraceEvent replica_note{71, net::TraceKind::note, 1, 1, "stores 3 (had 0)", ""};
  CHECK(tools::render_trace_line(replica_note, topology, off).starts_with(". "));

  net::TraceEvent timer{80, net::TraceKind::timer, 3, 3, "", "2"};
  const auto name = [](std::string_view tag) {
    return tag == "2" ? std::string("reply timeout") : std::string();
  };
  CHECK(tools::render_trace_line(timer, topology, off, {}, name).find("2 (reply timeout)") !=
        std::string::npos);
}
