#pragma once
/// \file
/// The verbs that run the protocol as processes, on the command line: `ladder node`, `ladder
/// client` and `ladder cluster up`. A `--cluster` value picks the level: a list of ports is level
/// 1 (node.hpp), a cluster file level 3 in production (runtime_verbs.hpp).

namespace ladder::tools {

class CommandLine;

/// Adds `ladder node`: one replica as a process of its own, level 1's or level 3's.
void add_node_verb(CommandLine& cli);

/// Adds `ladder client`: one call on a cluster of `ladder node` processes, level 1's or level 3's.
void add_client_verb(CommandLine& cli);

/// Adds `ladder cluster up`: a level 3 cluster of node processes on this machine.
void add_cluster_verb(CommandLine& cli);

}  // namespace ladder::tools
