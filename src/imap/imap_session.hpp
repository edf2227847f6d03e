#pragma once
// One IMAP session (RFC 3501 §3 states): not authenticated -> authenticated ->
// selected -> logout. Split over imap_session.cpp (framing, dispatch),
// authenticate_command.cpp (LOGIN, AUTHENTICATE), mailbox_commands.cpp (CREATE,
// DELETE, RENAME, SUBSCRIBE, LIST, LSUB, STATUS), append_command.cpp (APPEND),
// selected_commands.cpp (SELECT, sync, STORE, SEARCH, EXPUNGE), copy_command.cpp
// (COPY, MOVE), fetch_command.cpp (FETCH), quota_commands.cpp (QUOTA),
// enable_command.cpp (ENABLE) and qresync.cpp (RFC 7162: QRESYNC's SELECT, VANISHED).
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dirmail/base/log.hpp"
#include "dirmail/imap/command.hpp"
#include "dirmail/imap/imap_service.hpp"
#include "dirmail/imap/message_summary.hpp"
#include "dirmail/imap/sort_record.hpp"
#include "dirmail/net/output_buffer.hpp"
#include "dirmail/net/session_control.hpp"
#include "dirmail/store/mail_store.hpp"
#include "imap_reader.hpp"
#include "spooled_message.hpp"

namespace dirmail::imap {

inline constexpr auto write_timeout = std::chrono::seconds(300);
inline constexpr std::size_t flush_threshold = 32 * 1024;  // pending output written out past this
inline constexpr std::size_t message_chunk = 32 * 1024;    // read size when streaming a message
inline constexpr std::size_t max_kept_header = 256 * 1024; // header bytes kept for ENVELOPE etc.
inline constexpr std::size_t summary_batch = 256;          // FETCH reads message summaries this many at a time
inline constexpr std::string_view inbox_folder = "INBOX";

// What a session remembers of each message of the selected mailbox: the sequence
// number is the position (RFC 3501 §2.3.1.2), so the list only changes when the
// client is told (EXPUNGE, EXISTS).
struct SessionMessage {
  std::uint32_t uid = 0;
  std::uint8_t flags = 0;
  bool recent = false;  // \Recent: this session was the first told of it
  std::uint64_t size = 0;
  std::int64_t internal_date = 0;
  std::uint64_t keywords = 0;  // bits over ImapSession::keywords_
  std::uint64_t modseq = 0;    // RFC 7162

  static SessionMessage of(const store::MessageInfo& m, bool recent) {
    return {m.uid, m.flags, recent, m.size, m.internal_date, m.keywords, m.modseq};
  }
};

// Extensions ENABLE turns on (ImapSession::enabled_).
inline constexpr std::uint32_t enabled_condstore = 1;  // RFC 7162 §3.1
inline constexpr std::uint32_t enabled_qresync = 2;    // RFC 7162 §3.2; implies CONDSTORE

class ImapSession {
 public:
  ImapSession(std::shared_ptr<ImapService> service, net::Connection c);
  net::awaitable<void> run();

 private:
  enum class State { not_authenticated, authenticated, selected };
  enum class Framing { command, rejected, closed };

  // imap_session.cpp
  net::awaitable<Framing> read_command();
  // Reads APPEND's message literal of `size` bytes into spooled_; false when the
  // connection is gone. A spool that cannot be written keeps its error for APPEND.
  net::awaitable<bool> read_spooled_message(std::size_t size);
  net::awaitable<bool> execute(const ImapCommand& cmd);

  // authenticate_command.cpp
  net::awaitable<void> login(const std::string& tag, const std::string& user, const std::string& password);
  net::awaitable<bool> authenticate(const ImapCommand& cmd);
  net::awaitable<bool> authenticate_gssapi(const ImapCommand& cmd, auth::GssMechanism mechanism);
  // Sends "+ challenge" and reads the answer: nullopt when the connection is gone; an
  // empty optional string after a BAD reply (too long, cancelled).
  net::awaitable<std::optional<std::optional<std::string>>> sasl_challenge(const std::string& tag,
                                                                           std::string_view challenge,
                                                                           std::size_t max_size);
  // The checks every password-like login shares (login limiter, directory retries,
  // replies); `check` runs on the blocking pool.
  net::awaitable<void> finish_login(const std::string& tag, const std::string& login, std::string_view mechanism,
                                    std::function<auth::LoginAnswer()> check);
  // The account's mailbox, then the authenticated state (or NO when the path is bad).
  net::awaitable<void> enter_authenticated(const std::string& tag, const directory::Account& account);
  bool gssapi_offered() const { return options_->gssapi != nullptr && service_->directory != nullptr; }
  bool password_auth_offered() const { return options_->authenticator != nullptr && plaintext_allowed(); }
  bool cram_md5_offered() const { return options_->authenticator != nullptr && options_->cram_md5; }
  std::string capabilities() const;
  bool plaintext_allowed() const {
    return auth::plaintext_allowed(options_->plaintext_auth, conn_.stream.tls(), conn_.peer_is_loopback);
  }
  bool starttls_offered() const { return options_->tls && options_->starttls && !conn_.stream.tls(); }
  net::awaitable<bool> starttls(const std::string& tag);

  // mailbox_commands.cpp
  // The store's folder name for a name from the client; nullopt after a NO reply.
  std::optional<std::string> folder_from_client(const std::string& tag, std::string_view wire);
  // The NO reply for a store error no command-specific code covers (logged).
  void store_failure(const std::string& tag, const Error& error, std::string_view what);
  // Sent, Drafts, Trash and Junk (SPECIAL-USE) when missing, subscribed; at login.
  net::awaitable<void> create_special_use_folders();
  net::awaitable<void> list(const ImapCommand& cmd);
  net::awaitable<void> status(const ImapCommand& cmd);
  // The folder's status for SELECT, EXAMINE and STATUS; nullopt after the NO reply has
  // been given (no such mailbox, or the store could not answer).
  net::awaitable<std::optional<store::FolderStatus>> open_mailbox(const std::string& tag, const std::string& folder,
                                                                  std::string_view purpose);
  net::awaitable<void> create(const ImapCommand& cmd);
  net::awaitable<void> delete_mailbox(const ImapCommand& cmd);
  net::awaitable<void> rename(const ImapCommand& cmd);
  net::awaitable<void> subscribe(const ImapCommand& cmd, bool add);

  // append_command.cpp. APPEND, COPY and MOVE return false when the session ends (a
  // sync of the selected mailbox, which they report changes of, said BYE).
  net::awaitable<bool> append(const ImapCommand& cmd);
  // Whether `bytes` more fit the account's mailbox limit; false after the NO reply.
  net::awaitable<bool> mailbox_has_room(const std::string& tag, std::uint64_t bytes);

  // quota_commands.cpp: GETQUOTA, GETQUOTAROOT, SETQUOTA (RFC 9208).
  net::awaitable<void> quota(const ImapCommand& cmd);
  // "* QUOTA" for the one root with `limit` (bytes); false after a NO reply.
  net::awaitable<bool> quota_response(const std::string& tag, std::uint64_t limit);

  // enable_command.cpp: ENABLE (RFC 5161).
  void enable(const ImapCommand& cmd);

  // sort_command.cpp: SORT and THREAD (RFC 5256).
  net::awaitable<void> sort(const ImapCommand& cmd);
  net::awaitable<void> thread(const ImapCommand& cmd);
  // SortRecords of the messages the criteria match, headers read when `headers`;
  // nullopt after a NO reply.
  net::awaitable<std::optional<std::vector<SortRecord>>> sort_records(const ImapCommand& cmd, bool headers);

  // copy_command.cpp
  net::awaitable<bool> copy(const ImapCommand& cmd, bool move);

  // selected_commands.cpp
  net::awaitable<void> select(const ImapCommand& cmd, bool read_only);
  net::awaitable<bool> sync();  // NOOP/CHECK/IDLE: report expunges, flag changes, new mail
  net::awaitable<bool> idle(const ImapCommand& cmd);
  net::awaitable<void> store(const ImapCommand& cmd);
  net::awaitable<void> search(const ImapCommand& cmd);
  // The positions SEARCH's criteria match, ascending; nullopt after a NO reply (charset,
  // key, a store that cannot be read). Messages are read only where keys on their
  // content decide (search_content.cpp).
  net::awaitable<std::optional<std::vector<std::size_t>>> search_positions(const ImapCommand& cmd);
  net::awaitable<void> expunge(const ImapCommand& cmd, bool silent);
  void deselect();
  // Tells the client the messages at `positions` (ascending) are gone, as EXPUNGEs
  // (highest first) or, with QRESYNC, one VANISHED; and forgets them.
  void report_expunged(const std::vector<std::size_t>& positions);
  // A message's flags as FETCH writes them, keywords and \Recent included.
  std::string flags_of(const SessionMessage& m) const;
  // " MODSEQ (n)" for untagged FETCHes once CONDSTORE is on, else "".
  std::string modseq_suffix(const SessionMessage& m) const;
  // "* FLAGS" and "* OK [PERMANENTFLAGS]" for the folder's keyword list.
  void report_folder_flags();
  // Takes the folder's new keyword list; says FLAGS again when it grew.
  void update_keywords(std::vector<std::string> keywords);
  bool condstore_on() const { return (enabled_ & (enabled_condstore | enabled_qresync)) != 0 || condstore_used_; }
  bool qresync_on() const { return (enabled_ & enabled_qresync) != 0; }

  // qresync.cpp
  // SELECT (QRESYNC ...): VANISHED (EARLIER) and the FETCHes of what changed since the
  // client's mod-sequence (RFC 7162 §3.2.5.1).
  net::awaitable<void> qresync_select(const SelectParameters& params);
  // The UIDs in `wanted` (ascending; '*' already resolved) that were expunged after
  // `modseq`: the store's record, or, when it no longer has one, every UID of `wanted`
  // below UIDNEXT that is not in the mailbox (RFC 7162 §3.2.5.1).
  net::awaitable<std::vector<std::uint32_t>> vanished_since(std::uint64_t modseq, const SequenceSet& wanted);
  // FETCH's (CHANGEDSINCE n [VANISHED]) and the MODSEQ item: drops the targets not
  // changed since n and says what vanished. false after a BAD reply.
  net::awaitable<bool> apply_fetch_modifiers(const ImapCommand& cmd, std::vector<std::size_t>& targets);
  // Snapshot positions named by a set; empty optional (after a BAD reply) if invalid.
  std::optional<std::vector<std::size_t>> resolve(const ImapCommand& cmd);

  // fetch_command.cpp
  net::awaitable<bool> fetch(const ImapCommand& cmd);
  enum class FetchOutcome { sent, gone, failed, connection_lost };
  // `summary`: the message's stored summary, if any; a summary made while answering is
  // added to `made` (fetch() keeps them in the store).
  net::awaitable<FetchOutcome> fetch_message(std::size_t index, const ImapCommand& cmd,
                                             std::optional<MessageSummary>& summary,
                                             std::vector<store::MessageSummaryBytes>& made);

  void reply(std::string_view text) {
    out_.append(text);
    out_.append("\r\n");
  }
  void tagged(const std::string& tag, std::string_view text) {
    out_.append(tag);
    out_.append(" ");
    reply(text);
  }
  net::awaitable<bool> flush_if_large();
  log::LogLine line(log::Record r);

  std::shared_ptr<ImapService> service_;
  std::shared_ptr<const ImapOptions> options_;
  net::Connection conn_;
  ImapReader reader_;
  net::OutputBuffer out_;
  net::SessionControl control_;
  std::shared_ptr<spdlog::logger> log_;

  State state_ = State::not_authenticated;
  std::string user_;          // the logged-in account's address
  std::string mailbox_root_;  // its expanded mailbox path
  std::uint64_t mailbox_limit_ = 0;  // the account's own limit in bytes; 0: the server's
  std::optional<net::AccountSessions::Slot> account_slot_;  // counts this session against the account
  std::string command_;       // the command being read: lines and literals
  // APPEND's message when it was too large for command_; its "{n}" ends command_.
  // A pointer: an idle session pays 8 bytes for it.
  std::unique_ptr<SpooledMessage> spooled_;
  ElidedLiteral spooled_literal_;  // where its bytes would be in command_

  // Selected state.
  std::string selected_folder_;  // the store's name: "INBOX", "Archive/2024"
  std::vector<SessionMessage> messages_;
  std::uint32_t uidvalidity_ = 0;
  std::uint32_t uidnext_ = 1;
  bool uidvalidity_provisional_ = false;  // the folder did not exist yet at SELECT
  std::uint64_t seen_changes_ = 0;  // the store's change_count at the last sync()
  bool read_only_ = false;
  std::vector<std::string> keywords_;  // the folder's keyword list (SessionMessage::keywords)
  std::uint64_t highest_modseq_ = 0;
  bool condstore_used_ = false;  // a CONDSTORE-enabling command was used (RFC 7162 §3.1)

  std::uint32_t enabled_ = 0;  // extensions turned on by ENABLE (enable_command.cpp)
  int errors_ = 0;
};

}  // namespace dirmail::imap
