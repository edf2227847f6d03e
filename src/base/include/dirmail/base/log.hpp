#pragma once
// Structured logs: one log per service and node, one line per event, key=value fields.
// The original product's log kinds (inlog, outlog, acceptlog, senderlog, faillog) are
// record types, so `grep type=receive` gives what its receive log gave.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <fmt/format.h>

namespace spdlog { class logger; }

namespace dirmail::log {

enum class Record {
  receive,  // every accepted message (inlog)
  send,     // every message sent to a remote domain (outlog)
  accept,   // every client that reached MAIL FROM (acceptlog)
  sender,   // delivery detail (senderlog)
  failure,  // undeliverable messages (faillog)
  session,  // connection open/close, protocol errors
  auth,     // logins, successful or not
  store,    // mailbox deliveries and expunges
  daemon,   // start, stop, reload
  directory,  // domain controller failover and failback, outages, stale answers
};
std::string_view to_string(Record r);

enum class Level { debug, info, warn, error };

struct Options {
  std::string dir;        // empty: log to stderr only
  std::string node;       // this node's name: file name inside each service folder
  Level level = Level::info;
  bool to_stderr = true;
  // With to_stderr: the lines go to the systemd journal as structured entries
  // (journal_sink.hpp) instead of plain lines on stderr.
  bool to_journal = false;
};

// Sets up the loggers. Before init (and in tests) every service logs to stderr.
void init(const Options& options);
void flush_all();

// The logger of one service ("smtp", "pop3", "delivery", "daemon", ...).
std::shared_ptr<spdlog::logger> service(std::string_view name);

// One structured line: LogLine(log::service("smtp"), Record::receive)
//   .with("session", id).with("client", ip).info("message accepted");
class LogLine {
 public:
  LogLine(std::shared_ptr<spdlog::logger> logger, Record type);
  LogLine& with(std::string_view key, std::string_view value);
  LogLine& with(std::string_view key, const std::string& value) { return with(key, std::string_view(value)); }
  LogLine& with(std::string_view key, const char* value) { return with(key, std::string_view(value)); }
  LogLine& with(std::string_view key, std::uint64_t value);
  LogLine& with(std::string_view key, std::int64_t value);
  LogLine& with(std::string_view key, int value) { return with(key, static_cast<std::int64_t>(value)); }
  LogLine& with(std::string_view key, unsigned value) { return with(key, static_cast<std::uint64_t>(value)); }

  void debug(std::string_view msg) { write(Level::debug, msg); }
  void info(std::string_view msg) { write(Level::info, msg); }
  void warn(std::string_view msg) { write(Level::warn, msg); }
  void error(std::string_view msg) { write(Level::error, msg); }

 private:
  void write(Level level, std::string_view msg);
  std::shared_ptr<spdlog::logger> logger_;
  fmt::memory_buffer fields_;
};

}  // namespace dirmail::log
