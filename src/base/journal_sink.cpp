#include "dirmail/base/journal_sink.hpp"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <mutex>

#include <spdlog/details/log_msg.h>
#include <spdlog/sinks/base_sink.h>

#include "dirmail/base/log_record.hpp"

namespace dirmail::log {
namespace {

int priority(Level level) {
  switch (level) {
    case Level::debug: return 7;
    case Level::info: return 6;
    case Level::warn: return 4;
    case Level::error: return 3;
  }
  return 6;
}

Level from_spd(spdlog::level::level_enum l) {
  if (l <= spdlog::level::debug) return Level::debug;
  if (l == spdlog::level::info) return Level::info;
  if (l == spdlog::level::warn) return Level::warn;
  return Level::error;
}

// A journal field name: upper-case letters, digits and '_', not starting with '_' or a
// digit, at most 64 characters.
std::string field_name(std::string_view key) {
  std::string name = "DIRMAIL_";
  for (char c : key) {
    if (name.size() == 64) break;
    if (c >= 'a' && c <= 'z') name += static_cast<char>(c - 'a' + 'A');
    else if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) name += c;
    else name += '_';
  }
  return name;
}

// FIELD=value\n, or the protocol's length-prefixed form for a value with a line feed.
void append_field(std::string& out, std::string_view name, std::string_view value) {
  if (value.find('\n') == std::string_view::npos) {
    out.append(name).append("=").append(value).append("\n");
    return;
  }
  out.append(name).append("\n");
  std::uint64_t size = value.size();
  for (int i = 0; i < 8; ++i) out += static_cast<char>((size >> (8 * i)) & 0xFF);  // little-endian
  out.append(value).append("\n");
}

class JournalSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit JournalSink(std::string path) : path_(std::move(path)) {}
  ~JournalSink() override {
    if (fd_ >= 0) ::close(fd_);
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    std::string entry = journal_entry(std::string_view(msg.logger_name.data(), msg.logger_name.size()),
                                      from_spd(msg.level), std::string_view(msg.payload.data(), msg.payload.size()));
    if (fd_ < 0) fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) return;
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path_.c_str(), sizeof addr.sun_path - 1);
    // Never blocks: a journal that cannot keep up (or is restarting) loses the line rather
    // than stall the threads that log; the log files still have it.
    (void)::sendto(fd_, entry.data(), entry.size(), MSG_NOSIGNAL | MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&addr),
                   sizeof addr);
  }
  void flush_() override {}

 private:
  std::string path_;
  int fd_ = -1;
};

}  // namespace

bool stderr_is_journal() {
  const char* stream = std::getenv("JOURNAL_STREAM");
  if (!stream) return false;
  unsigned long long dev = 0, ino = 0;
  if (std::sscanf(stream, "%llu:%llu", &dev, &ino) != 2) return false;
  struct stat st{};
  if (::fstat(STDERR_FILENO, &st) != 0) return false;
  return static_cast<unsigned long long>(st.st_dev) == dev && static_cast<unsigned long long>(st.st_ino) == ino;
}

std::string journal_entry(std::string_view service, Level level, std::string_view payload) {
  std::string entry;
  append_field(entry, "PRIORITY", std::to_string(priority(level)));
  append_field(entry, "SYSLOG_IDENTIFIER", "dirmaild");
  append_field(entry, "DIRMAIL_SERVICE", service);
  // MESSAGE first within the budget, then as many of the line's fields as fit: the
  // journal drops a datagram over its socket's buffer or with too many fields whole.
  const std::string_view message = payload.substr(0, kMaxJournalMessageBytes);
  bool truncated = message.size() < payload.size();
  std::size_t fields = 4;
  // The payload read back as the log files' lines are (log_record.hpp).
  std::string line = "1970-01-01T00:00:00.000Z info service=";
  line.append(service).append(" ").append(payload);
  if (auto record = parse_log_record(line)) {
    append_field(entry, "DIRMAIL_TYPE", record->type);
    for (const auto& [key, value] : record->fields) {
      const std::size_t size = key.size() + value.size() + 18;  // name prefix, '=', '\n' (or the length form)
      if (entry.size() + size + message.size() + 16 > kMaxJournalEntryBytes || ++fields > kMaxJournalFields) {
        truncated = true;
        break;
      }
      append_field(entry, field_name(key), value);
    }
  }
  if (truncated) append_field(entry, "DIRMAIL_TRUNCATED", "1");
  append_field(entry, "MESSAGE", message);
  return entry;
}

std::shared_ptr<spdlog::sinks::sink> make_journal_sink(std::string socket_path) {
  return std::make_shared<JournalSink>(std::move(socket_path));
}

}  // namespace dirmail::log
