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
// Entries larger than this are cut (the journal's datagrams are bounded by the socket
// buffer); DIRMAIL_TRUNCATED=1 says so.
inline constexpr std::size_t kMaxJournalEntryBytes = 128 * 1024;

// Whether standard error is the journal: systemd sets $JOURNAL_STREAM to its
// "device:inode" when it connects a service's output to the journal.
bool stderr_is_journal();

// One entry for a line of `service` at `level`: `payload` is what follows "service=NAME"
// in the log files (type=... key=value ... msg="...").
std::string journal_entry(std::string_view service, Level level, std::string_view payload);

std::shared_ptr<spdlog::sinks::sink> make_journal_sink(std::string socket_path = kJournalSocket);

}  // namespace dirmail::log
