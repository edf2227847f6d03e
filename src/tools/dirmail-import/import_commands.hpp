#pragma once
// dirmail-import's commands. Each takes the words after its name and returns the exit
// status: 0 every row done, 1 some rows not (conflicts, failures, unreadable rows: the
// report says which), 2 nothing done (a usage or configuration error).
#include <iosfwd>

#include "command_words.hpp"
#include "dirmail/config/settings.hpp"

namespace dirmail::import_tool {

int import_command(const config::Settings& settings, const ctl::Args& args, std::ostream& out, std::ostream& err);
int export_command(const config::Settings& settings, const ctl::Args& args, std::ostream& out, std::ostream& err);

}  // namespace dirmail::import_tool
