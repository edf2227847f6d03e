#pragma once
// The systemd journal as a log destination: each line becomes one journal entry sent
// over the journal's native protocol (a datagram of FIELD=value lines), with the line's
// structure kept as fields (DIRMAIL_SERVICE, DIRMAIL_TYPE, DIRMAIL_<KEY> per key=value),
// so that `journalctl -u dirmail DIRMAIL_TYPE=receive DIRMAIL_TO=bob@example.test`
// selects mail by its parts. MESSAGE is the line as the log files have it.
#include <memory>
#include <string>
#include <string_view>

#include <spdlog/sinks/sink.h>

#include "dirmail/base/log.hpp"

namespace dirmail::log {

inline constexpr const char* kJournalSocket = "/run/systemd/journal/socket";
// An entry is cut to stay within what the journal takes in one datagram (the socket
// buffer, about 208 KiB by default) and in one entry (1024 fields): MESSAGE to its
// limit, then the line's fields while they fit; DIRMAIL_TRUNCATED=1 says so (a receive
// line with thousands of to= keeps the first ones).
inline constexpr std::size_t kMaxJournalEntryBytes = 96 * 1024;
inline constexpr std::size_t kMaxJournalMessageBytes = 32 * 1024;
inline constexpr std::size_t kMaxJournalFields = 500;

// Whether standard error is the journal: systemd sets $JOURNAL_STREAM to its
// "device:inode" when it connects a service's output to the journal.
bool stderr_is_journal();

// One entry for a line of `service` at `level`: `payload` is what follows "service=NAME"
// in the log files (type=... key=value ... msg="...").
std::string journal_entry(std::string_view service, Level level, std::string_view payload);

std::shared_ptr<spdlog::sinks::sink> make_journal_sink(std::string socket_path = kJournalSocket);

}  // namespace dirmail::log
