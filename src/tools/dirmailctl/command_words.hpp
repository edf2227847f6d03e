#pragma once
// The words after a dirmailctl verb (positional arguments, "--opt VALUE" options,
// "--flag" flags) and passwords from --password, --password-stdin or a prompt.
#include <iosfwd>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "commands.hpp"
#include "dirmail/base/result.hpp"

namespace dirmail::ctl {

// The words before the command (dirmailctl's and dirmail-import's): "--config FILE"
// (or -c; default $DIRMAIL_CONFIG, else /etc/dirmail/dirmail.toml) and "--help" (-h),
// then the command and its words.
struct CommandLine {
  std::string config_path;
  bool help = false;  // --help came before any command
  Args args;          // the command and its words
};
CommandLine parse_command_line(int argc, char** argv);

// The words after the verb: positional arguments, "--opt VALUE" / "--opt=VALUE"
// options, and "--flag" flags.
struct Words {
  std::vector<std::string> positional;
  std::map<std::string, std::string> values;
  std::set<std::string> flags;
};

Result<Words> parse_words(const Args& args, const std::set<std::string>& value_options,
                          const std::set<std::string>& flag_options);

// The value of "--opt", or `fallback` when it was not given.
std::string value_or(const Words& words, const std::string& option, std::string fallback);

// --password P, or one line of standard input (--password-stdin, or a pipe), or typed
// twice at a terminal, unseen.
Result<std::string> password_from(const Words& words, std::ostream& err);

}  // namespace dirmail::ctl
