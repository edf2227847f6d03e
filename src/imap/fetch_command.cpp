// FETCH and UID FETCH (RFC 3501 §6.4.5, §7.4.2). Message bytes are streamed from the
// store in chunks as literals; only the header (bounded) is ever held for ENVELOPE,
// HEADER.FIELDS and BODYSTRUCTURE.
#include <algorithm>
#include <span>

#include <fmt/format.h>

#include "dirmail/imap/body_structure.hpp"
#include "dirmail/imap/envelope.hpp"
#include "dirmail/imap/flag_list.hpp"
#include "dirmail/base/header_fields.hpp"
#include "dirmail/imap/imap_date.hpp"
#include "dirmail/imap/message_scanner.hpp"
#include "imap_session.hpp"

namespace dirmail::imap {
namespace {

// What a FETCH needs to know about a message before it answers.
struct Needs {
  bool layout = false;      // header bytes and header size
  bool body_lines = false;  // a pass over the whole message
};

Needs needs_of(const std::vector<FetchItem>& items) {
  Needs n;
  for (const auto& item : items) {
    switch (item.kind) {
      case FetchKind::envelope:
      case FetchKind::rfc822_header:
      case FetchKind::rfc822_text:
        n.layout = true;
        break;
      case FetchKind::body_structure:
      case FetchKind::body:
        n.layout = n.body_lines = true;
        break;
      case FetchKind::section:
        if (!item.section.part.empty() || item.section.text != SectionText::full) n.layout = true;
        break;
      default:
        break;
    }
  }
  return n;
}

struct Layout {
  std::string header;  // kept part of the header
  std::uint64_t header_size = 0;
  std::uint64_t body_lines = 0;
  std::uint64_t total = 0;
};

// Runs on the blocking pool: reads the header (and the rest, when lines are counted).
Result<Layout> scan_message(store::MailStore& st, const std::string& root, const std::string& folder,
                            std::uint32_t uid, bool whole) {
  auto opened = st.open_message(root, folder, uid);
  if (!opened) return std::move(opened).error();
  auto& reader = **opened;
  MessageScanner scanner(max_kept_header);
  std::string chunk(message_chunk, '\0');
  for (;;) {
    auto n = reader.read(std::span<char>(chunk.data(), chunk.size()));
    if (!n) return std::move(n).error();
    if (*n == 0) break;
    scanner.feed(std::string_view(chunk.data(), *n));
    if (!whole && scanner.header_complete()) break;
  }
  Layout layout;
  layout.header = std::string(scanner.header());
  layout.header_size = scanner.header_size();
  layout.body_lines = scanner.body_lines();
  layout.total = whole ? scanner.total_size() : reader.size();
  return layout;
}

// Runs on the blocking pool: reads and drops `count` bytes.
Status skip_bytes(store::MessageReader& reader, std::uint64_t count) {
  std::string chunk(static_cast<std::size_t>(std::min<std::uint64_t>(count, message_chunk)), '\0');
  while (count > 0) {
    auto want = static_cast<std::size_t>(std::min<std::uint64_t>(count, chunk.size()));
    auto n = reader.read(std::span<char>(chunk.data(), want));
    if (!n) return std::move(n).error();
    if (*n == 0) return make_error(ErrorCode::io_error, "message is shorter than its index says");
    count -= *n;
  }
  return ok_status();
}

// Where an item's data lies in the stored message, or in memory (HEADER.FIELDS).
struct ItemData {
  bool nil = false;
  bool in_memory = false;
  std::string memory;
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
};

ItemData locate(const FetchItem& item, const Layout& layout, std::uint64_t total) {
  ItemData d;
  std::uint64_t header = std::min(layout.header_size, total);
  auto whole = [&] { d.length = total; };
  auto head = [&] { d.length = header; };
  auto text = [&] {
    d.offset = header;
    d.length = total - header;
  };
  switch (item.kind) {
    case FetchKind::rfc822: whole(); break;
    case FetchKind::rfc822_header: head(); break;
    case FetchKind::rfc822_text: text(); break;
    default: {
      const FetchSection& s = item.section;
      // A message of one part (all of them, until MIME parsing exists): part 1 is the
      // body, part 1's MIME header is the message header, deeper parts do not exist.
      bool top = s.part.empty();
      bool first_part = s.part.size() == 1 && s.part[0] == 1;
      if (!top && !first_part) {
        d.nil = true;
      } else if (first_part && (s.text == SectionText::full)) {
        text();
      } else if (first_part && s.text == SectionText::mime) {
        head();
      } else if (first_part) {
        d.nil = true;  // HEADER/TEXT of part 1 exist only for message/rfc822 parts
      } else if (s.text == SectionText::full) {
        whole();
      } else if (s.text == SectionText::header) {
        head();
      } else if (s.text == SectionText::text) {
        text();
      } else {
        d.in_memory = true;
        d.memory = filter_header_fields(layout.header, s.fields, s.text == SectionText::header_fields_not);
        d.length = d.memory.size();
      }
    }
  }
  if (item.partial && !d.nil) {
    std::uint64_t start = std::min<std::uint64_t>(item.partial->first, d.length);
    std::uint64_t len = std::min<std::uint64_t>(item.partial->second, d.length - start);
    d.offset += start;
    d.length = len;
    if (d.in_memory) d.memory = d.memory.substr(static_cast<std::size_t>(start), static_cast<std::size_t>(len));
  }
  return d;
}

}  // namespace

net::awaitable<bool> ImapSession::fetch(const ImapCommand& cmd) {
  auto targets = resolve(cmd);
  if (!targets) co_return true;
  bool gone = false;
  bool failed = false;
  for (std::size_t i : *targets) {
    auto outcome = co_await fetch_message(i, cmd);
    if (outcome == FetchOutcome::connection_lost) co_return false;
    gone = gone || outcome == FetchOutcome::gone;
    failed = failed || outcome == FetchOutcome::failed;
    if (!co_await flush_if_large()) co_return false;
  }
  if (failed) tagged(cmd.tag, "NO [UNAVAILABLE] Some messages could not be read, try again later");
  else if (gone) tagged(cmd.tag, "NO [EXPUNGEISSUED] Some of the messages no longer exist");
  else tagged(cmd.tag, cmd.uid ? "OK UID FETCH completed" : "OK FETCH completed");
  co_return true;
}

net::awaitable<ImapSession::FetchOutcome> ImapSession::fetch_message(std::size_t index, const ImapCommand& cmd) {
  auto* st = service_->store;
  const std::uint32_t uid = messages_[index].uid;
  Needs needs = needs_of(cmd.fetch);
  Layout layout;
  if (needs.layout) {
    bool whole = needs.body_lines;
    auto scan = [st, root = mailbox_root_, name = selected_folder_, uid, whole] {  // named: see BlockingPool::run
      return scan_message(*st, root, name, uid, whole);
    };
    auto scanned = co_await service_->pool->run(scan);
    if (!scanned) {
      if (scanned.error().code == ErrorCode::not_found) co_return FetchOutcome::gone;
      line(log::Record::store).with("uid", uid).with("error", scanned.error().message).error("cannot read message");
      co_return FetchOutcome::failed;
    }
    layout = std::move(*scanned);
  }

  bool flags_reported = false;
  bool sets_seen = std::any_of(cmd.fetch.begin(), cmd.fetch.end(), [](const FetchItem& i) { return i.sets_seen(); });
  if (sets_seen && !read_only_ && (messages_[index].flags & store::flag_seen) == 0) {
    auto flags = static_cast<std::uint8_t>(messages_[index].flags | store::flag_seen);
    auto mark = [st, root = mailbox_root_, name = selected_folder_, uid, flags] {  // named: see BlockingPool::run
      return st->set_flags(root, name, uid, flags);
    };
    auto marked = co_await service_->pool->run(mark);
    if (marked) {
      messages_[index].flags = flags;
      flags_reported = std::none_of(cmd.fetch.begin(), cmd.fetch.end(),
                                    [](const FetchItem& i) { return i.kind == FetchKind::flags; });
    } else if (marked.error().code == ErrorCode::not_found) {
      co_return FetchOutcome::gone;
    } else {
      line(log::Record::store).with("uid", uid).with("error", marked.error().message).warn("cannot set \\Seen");
    }
  }

  const SessionMessage& m = messages_[index];
  out_.append(fmt::format("* {} FETCH (", index + 1));
  bool first = true;
  auto separate = [&] {
    if (!first) out_.append(" ");
    first = false;
  };
  bool uid_listed = std::any_of(cmd.fetch.begin(), cmd.fetch.end(), [](const FetchItem& i) { return i.kind == FetchKind::uid; });
  if (cmd.uid && !uid_listed) {
    separate();
    out_.append(fmt::format("UID {}", m.uid));
  }
  if (flags_reported) {  // RFC 3501 §6.4.5: report \Seen set by this FETCH
    separate();
    out_.append("FLAGS " + format_flag_list(m.flags));
  }
  FetchOutcome outcome = FetchOutcome::sent;
  for (const auto& item : cmd.fetch) {
    switch (item.kind) {
      case FetchKind::uid:
        separate();
        out_.append(fmt::format("UID {}", m.uid));
        continue;
      case FetchKind::flags:
        separate();
        out_.append("FLAGS " + format_flag_list(m.flags));
        continue;
      case FetchKind::internal_date:
        separate();
        out_.append(fmt::format("INTERNALDATE \"{}\"", format_internal_date(m.internal_date)));
        continue;
      case FetchKind::rfc822_size:
        separate();
        out_.append(fmt::format("RFC822.SIZE {}", m.size));
        continue;
      case FetchKind::envelope:
        separate();
        out_.append("ENVELOPE " + format_envelope(layout.header));
        continue;
      case FetchKind::body_structure:
      case FetchKind::body: {
        bool ext = item.kind == FetchKind::body_structure;
        separate();
        out_.append(ext ? "BODYSTRUCTURE " : "BODY ");
        out_.append(format_body_structure(layout.header, layout.total - std::min(layout.header_size, layout.total),
                                          layout.body_lines, ext));
        continue;
      }
      default:
        break;
    }
    // Items with message data: open the message first, so a message that vanished
    // leaves a well-formed response without the item.
    std::unique_ptr<store::MessageReader> reader;
    std::uint64_t total = layout.total;
    ItemData data = locate(item, layout, total);
    bool from_file = !data.nil && !data.in_memory;
    if (from_file) {
      auto open = [st, root = mailbox_root_, name = selected_folder_, uid] {  // named: see BlockingPool::run
        return st->open_message(root, name, uid);
      };
      auto opened = co_await service_->pool->run(open);
      if (!opened) {
        outcome = opened.error().code == ErrorCode::not_found ? FetchOutcome::gone : FetchOutcome::failed;
        line(log::Record::store).with("uid", uid).with("error", opened.error().message).warn("cannot open message");
        continue;
      }
      reader = std::move(*opened);
      if (!needs.layout) {
        layout.total = reader->size();
        layout.header_size = layout.total;
      }
      data = locate(item, layout, reader->size());
    }
    separate();
    out_.append(fetch_response_name(item));
    out_.append(" ");
    if (data.nil) {
      out_.append("NIL");
      continue;
    }
    out_.append(fmt::format("{{{}}}\r\n", data.length));
    if (data.in_memory) {
      out_.append(data.memory);
      continue;
    }
    if (data.offset > 0) {
      auto skip = [&reader, offset = data.offset] { return skip_bytes(*reader, offset); };
      if (auto skipped = co_await service_->pool->run(skip); !skipped) {
        line(log::Record::store).with("uid", uid).with("error", skipped.error().message).error("read failed mid-response");
        co_return FetchOutcome::connection_lost;  // the literal was announced: no way to recover in-protocol
      }
    }
    std::string chunk(static_cast<std::size_t>(std::min<std::uint64_t>(data.length, message_chunk)), '\0');
    std::uint64_t left = data.length;
    while (left > 0) {
      auto want = static_cast<std::size_t>(std::min<std::uint64_t>(left, chunk.size()));
      auto n = co_await service_->pool->run(
          [&reader, &chunk, want] { return reader->read(std::span<char>(chunk.data(), want)); });
      if (!n || *n == 0) {
        line(log::Record::store).with("uid", uid).with("error", n ? "message shorter than announced" : n.error().message)
            .error("read failed mid-response");
        co_return FetchOutcome::connection_lost;
      }
      out_.append(std::string_view(chunk.data(), *n));
      left -= *n;
      if (!co_await flush_if_large()) co_return FetchOutcome::connection_lost;
    }
  }
  out_.append(")\r\n");
  co_return outcome;
}

}  // namespace dirmail::imap
