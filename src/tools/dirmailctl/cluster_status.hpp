#pragma once
// dirmailctl cluster status: this node's role and state, the store lease (epoch, holder,
// age), the other node as its record on the store says, and the shared settings that
// differ between the nodes.
#include <ostream>

#include "command_words.hpp"
#include "dirmail/config/settings.hpp"

namespace dirmail::ctl {

// Exit 0; 1 when the store cannot be read; 2 for bad arguments.
int cluster_status(const config::Settings& s, const Args& args, std::ostream& out, std::ostream& err);

}  // namespace dirmail::ctl
