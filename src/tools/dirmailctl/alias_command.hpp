#pragma once
// dirmailctl alias add|del|list: aliases of the local directory. Declared apart from
// commands.hpp, which the main program owns; same conventions (0 ok, 1 failed, 2 usage).
#include <iosfwd>

#include "commands.hpp"

namespace dirmail::ctl {

// alias add ADDRESS TARGET[,TARGET...] | alias del ADDRESS | alias list [DOMAIN]
int alias_command(directory::LocalDirectory& dir, const Args& args, std::ostream& out, std::ostream& err);

}  // namespace dirmail::ctl
