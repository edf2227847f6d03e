#include "command_words.hpp"

#include <termios.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "dirmail/directory/password_hash.hpp"

namespace dirmail::ctl {
namespace {

// Turns terminal echo off while a password is typed; restores it on every path.
class EchoOff {
 public:
  EchoOff() {
    if (::tcgetattr(STDIN_FILENO, &saved_) != 0) return;
    termios quiet = saved_;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    active_ = ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
  }
  ~EchoOff() {
    if (active_) ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_);
  }
  EchoOff(const EchoOff&) = delete;
  EchoOff& operator=(const EchoOff&) = delete;

 private:
  termios saved_{};
  bool active_ = false;
};

// One line of standard input, without its line ending.
Result<std::string> read_line(std::istream& in) {
  std::string line;
  if (!std::getline(in, line)) return make_error(ErrorCode::invalid_argument, "no password on standard input");
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line.size() > directory::max_password_length)
    return make_error(ErrorCode::invalid_argument, "password is longer than 1024 bytes");
  return line;
}

// A person at a terminal types the password twice, unseen; a script pipes one line.
Result<std::string> read_password(std::ostream& err, bool may_prompt) {
  if (!may_prompt || !::isatty(STDIN_FILENO)) return read_line(std::cin);
  EchoOff echo_off;
  err << "Password: " << std::flush;
  auto first = read_line(std::cin);
  err << "\n";
  if (!first) return first;
  err << "Retype password: " << std::flush;
  auto second = read_line(std::cin);
  err << "\n";
  if (!second) return second;
  if (*first != *second) return make_error(ErrorCode::invalid_argument, "the passwords do not match");
  return first;
}

}  // namespace

Result<Words> parse_words(const Args& args, const std::set<std::string>& value_options,
                          const std::set<std::string>& flag_options) {
  Words words;
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string& word = args[i];
    if (!word.starts_with("--")) {
      words.positional.push_back(word);
      continue;
    }
    auto eq = word.find('=');
    std::string name = word.substr(0, eq);
    if (value_options.contains(name)) {
      if (eq != std::string::npos) {
        words.values[name] = word.substr(eq + 1);
      } else if (i + 1 < args.size()) {
        words.values[name] = args[++i];
      } else {
        return make_error(ErrorCode::invalid_argument, name + " needs a value");
      }
    } else if (flag_options.contains(name) && eq == std::string::npos) {
      words.flags.insert(name);
    } else {
      return make_error(ErrorCode::invalid_argument, "unknown option " + word);
    }
  }
  return words;
}

Result<std::string> password_from(const Words& words, std::ostream& err) {
  bool on_line = words.values.contains("--password");
  bool from_stdin = words.flags.contains("--password-stdin");
  if (on_line && from_stdin) return make_error(ErrorCode::invalid_argument, "give --password or --password-stdin, not both");
  if (on_line) return words.values.at("--password");
  return read_password(err, !from_stdin);
}

std::string value_or(const Words& words, const std::string& option, std::string fallback) {
  auto it = words.values.find(option);
  return it == words.values.end() ? std::move(fallback) : it->second;
}

CommandLine parse_command_line(int argc, char** argv) {
  CommandLine line;
  line.config_path = "/etc/dirmail/dirmail.toml";
  if (const char* env = std::getenv("DIRMAIL_CONFIG")) line.config_path = env;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if ((a == "--config" || a == "-c") && line.args.empty() && i + 1 < argc) {
      line.config_path = argv[++i];
    } else if ((a == "--help" || a == "-h") && line.args.empty()) {
      line.help = true;
    } else {
      line.args.push_back(std::move(a));
    }
  }
  return line;
}

}  // namespace dirmail::ctl
