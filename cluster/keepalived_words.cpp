#include "keepalived_words.hpp"

namespace dirmail::cluster {
namespace {

bool is_control(unsigned char c) { return c < 0x20 || c == 0x7f; }

}  // namespace

Status check_interface_name(std::string_view name) {
  std::string shown(name);
  if (name.empty())
    return make_error(ErrorCode::invalid_argument,
                      "cluster.interface is empty: set the network interface that carries the virtual IP, e.g. "
                      "\"eth0\" (see ip -br link)");
  for (unsigned char c : name) {
    if (is_control(c) || c == ' ' || c == '/' || c == ':' || c == '"' || c == '\'' || c == '\\' || c == '#' ||
        c == '!' || c == '{' || c == '}')
      return make_error(ErrorCode::invalid_argument,
                        "cluster.interface \"" + (is_control(c) ? std::string("(control character)") : shown) +
                            "\" contains a character an interface name cannot have (blank, / : quotes, \\ # ! "
                            "{ } or a control character); use the Linux name as ip -br link shows it, e.g. "
                            "\"eth0\", not the Windows connection name");
  }
  if (name.size() > 15)
    return make_error(ErrorCode::invalid_argument, "cluster.interface \"" + shown +
                                                       "\" is longer than 15 bytes, which no Linux interface "
                                                       "name can be");
  if (name == "." || name == "..")
    return make_error(ErrorCode::invalid_argument, "cluster.interface \"" + shown + "\" is not an interface name");
  return ok_status();
}

Result<std::string> quoted_command(const std::vector<std::string>& argv) {
  std::string out = "\"";
  for (std::size_t i = 0; i < argv.size(); ++i) {
    const std::string& word = argv[i];
    if (word.empty()) return make_error(ErrorCode::invalid_argument, "an empty word in a keepalived script command");
    bool blank = false;
    for (unsigned char c : word) {
      if (is_control(c) || c == '"' || c == '\'' || c == '\\')
        return make_error(ErrorCode::invalid_argument,
                          "\"" + std::string(is_control(c) ? "(a word with a control character)" : word) +
                              "\" cannot go into keepalived.conf: keepalived reads quotes, backslashes and "
                              "control characters in a script line itself; use a path without them");
      blank = blank || c == ' ';
    }
    if (i) out += ' ';
    out += blank ? "'" + word + "'" : word;
  }
  out += '"';
  return out;
}

}  // namespace dirmail::cluster
