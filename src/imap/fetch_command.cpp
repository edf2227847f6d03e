// FETCH and UID FETCH (RFC 3501 §6.4.5, §7.4.2). Message bytes are streamed from the
// store in chunks as literals; only the header (bounded) and the MIME structure are
// ever held, for ENVELOPE, HEADER.FIELDS, BODYSTRUCTURE and the parts' sections.
#include <algorithm>
#include <span>

#include <fmt/format.h>

#include "dirmail/imap/body_structure.hpp"
#include "dirmail/imap/flag_list.hpp"
#include "dirmail/base/header_fields.hpp"
#include "dirmail/imap/imap_date.hpp"
#include "dirmail/imap/message_summary.hpp"
#include "imap_session.hpp"
#include "summary_reader.hpp"

namespace dirmail::imap {
namespace {

// What a FETCH needs to know about a message before it answers: where its header ends
// and its envelope (`header`), or its MIME structure as well. Both come from the
// message's summary, made on first use.
struct Needs {
  bool header = false;
  bool structure = false;
};

Needs needs_of(const std::vector<FetchItem>& items) {
  Needs n;
  for (const auto& item : items) {
    switch (item.kind) {
      case FetchKind::envelope:
      case FetchKind::rfc822_header:
      case FetchKind::rfc822_text:
        n.header = true;
        break;
      case FetchKind::body_structure:
      case FetchKind::body:
        n.header = n.structure = true;
        break;
      case FetchKind::section:
        if (!item.section.part.empty()) n.header = n.structure = true;
        else if (item.section.text != SectionText::full) n.header = true;
        break;
      default:
        break;
    }
  }
  return n;
}

struct Layout {
  MessageSummary summary;
  std::optional<std::string> header;  // the whole header, when the message was just read
};

// Runs on the blocking pool: reads `count` bytes from `offset` of an opened message.
Result<std::string> read_range(store::MessageReader& reader, std::uint64_t offset, std::size_t count) {
  if (auto skipped = reader.skip(offset); !skipped) return std::move(skipped).error();
  std::string out(count, '\0');
  std::size_t got = 0;
  while (got < count) {
    auto n = reader.read(std::span<char>(out.data() + got, count - got));
    if (!n) return std::move(n).error();
    if (*n == 0) break;
    got += *n;
  }
  out.resize(got);
  return out;
}

// Where an item's data lies in the stored message, or in memory (HEADER.FIELDS).
struct ItemData {
  bool nil = false;
  bool in_memory = false;
  std::string memory;
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
  // HEADER.FIELDS of an encapsulated message: the header at offset/length is read
  // from the file, then filtered.
  bool filter_from_file = false;
};

ItemData locate(const FetchItem& item, const Layout& layout, std::uint64_t total) {
  ItemData d;
  auto range = [&](std::uint64_t offset, std::uint64_t length) {
    d.offset = std::min(offset, total);
    d.length = std::min(length, total - d.offset);
  };
  const MimePart& root = layout.summary.structure;
  std::uint64_t header = std::min(root.header_size, total);
  const FetchSection& s = item.section;
  if (item.kind == FetchKind::rfc822) {
    range(0, total);
  } else if (item.kind == FetchKind::rfc822_header) {
    range(0, header);
  } else if (item.kind == FetchKind::rfc822_text) {
    range(header, total - header);
  } else if (s.part.empty()) {
    switch (s.text) {
      case SectionText::full: range(0, total); break;
      case SectionText::header: range(0, header); break;
      case SectionText::text: range(header, total - header); break;
      default:
        if (layout.header ||
            (layout.summary.fields_complete && s.text == SectionText::header_fields && summary_has_fields(s.fields))) {
          d.in_memory = true;
          d.memory = filter_header_fields(layout.header ? *layout.header : layout.summary.fields, s.fields,
                                          s.text == SectionText::header_fields_not);
          d.length = d.memory.size();
        } else {
          range(0, std::min<std::uint64_t>(header, max_kept_header));
          d.filter_from_file = true;
        }
        break;
    }
  } else {
    const MimePart* part = find_mime_part(root, s.part);
    // HEADER, TEXT and HEADER.FIELDS of a part exist only for message/rfc822 parts.
    const MimePart* message = part && part->fields.type.message() && !part->children.empty()
                                  ? &part->children.front() : nullptr;
    if (part == nullptr) {
      d.nil = true;
    } else if (s.text == SectionText::full) {
      range(part->body_offset, part->body_size);
    } else if (s.text == SectionText::mime) {
      range(part->header_offset, part->header_size);
    } else if (message == nullptr) {
      d.nil = true;
    } else if (s.text == SectionText::header) {
      range(message->header_offset, message->header_size);
    } else if (s.text == SectionText::text) {
      range(message->body_offset, message->body_size);
    } else {
      range(message->header_offset, std::min<std::uint64_t>(message->header_size, max_kept_header));
      d.filter_from_file = true;
    }
  }
  return d;
}

// <start.length> (RFC 3501 §6.4.5) applied to the located data.
void apply_partial(const FetchItem& item, ItemData& d) {
  if (!item.partial || d.nil) return;
  std::uint64_t start = std::min<std::uint64_t>(item.partial->first, d.length);
  std::uint64_t len = std::min<std::uint64_t>(item.partial->second, d.length - start);
  d.offset += start;
  d.length = len;
  if (d.in_memory) d.memory = d.memory.substr(static_cast<std::size_t>(start), static_cast<std::size_t>(len));
}

}  // namespace

net::awaitable<bool> ImapSession::fetch(const ImapCommand& cmd) {
  auto targets = resolve(cmd);
  if (!targets) co_return true;
  if (!co_await apply_fetch_modifiers(cmd, *targets)) co_return true;  // qresync.cpp
  bool gone = false;
  bool failed = false;
  const bool layout = needs_of(cmd.fetch).header;
  auto* st = service_->store;
  for (std::size_t first = 0; first < targets->size(); first += summary_batch) {
    std::size_t count = std::min(summary_batch, targets->size() - first);
    // The summaries of the batch in one store call; those missing are made while
    // answering and kept in one call after it.
    std::vector<std::optional<MessageSummary>> summaries(count);
    if (layout) {
      std::vector<std::uint32_t> uids;
      for (std::size_t k = 0; k < count; ++k) uids.push_back(messages_[(*targets)[first + k]].uid);
      auto load = [st, root = mailbox_root_, name = selected_folder_, uids] {  // named: see BlockingPool::run
        return load_summaries(*st, root, name, uids);
      };
      if (auto loaded = co_await service_->pool->run(load)) {
        summaries = std::move(*loaded);
      } else {
        line(log::Record::store).with("error", loaded.error().message).warn("cannot read message summaries");
      }
    }
    std::vector<store::MessageSummaryBytes> made;
    for (std::size_t k = 0; k < count; ++k) {
      auto outcome = co_await fetch_message((*targets)[first + k], cmd, summaries[k], made);
      if (outcome == FetchOutcome::connection_lost) co_return false;
      gone = gone || outcome == FetchOutcome::gone;
      failed = failed || outcome == FetchOutcome::failed;
      if (!co_await flush_if_large()) co_return false;
    }
    if (!made.empty()) {
      auto keep = [st, root = mailbox_root_, name = selected_folder_, made = std::move(made)] {  // named: see BlockingPool::run
        return st->store_summaries(root, name, made);
      };
      if (auto kept = co_await service_->pool->run(keep); !kept) {
        line(log::Record::store).with("error", kept.error().message).warn("cannot keep message summaries");
      }
    }
  }
  if (failed) tagged(cmd.tag, "NO [UNAVAILABLE] Some messages could not be read, try again later");
  else if (gone) tagged(cmd.tag, "NO [EXPUNGEISSUED] Some of the messages no longer exist");
  else tagged(cmd.tag, cmd.uid ? "OK UID FETCH completed" : "OK FETCH completed");
  co_return true;
}

net::awaitable<ImapSession::FetchOutcome> ImapSession::fetch_message(std::size_t index, const ImapCommand& cmd,
                                                                      std::optional<MessageSummary>& summary,
                                                                      std::vector<store::MessageSummaryBytes>& made) {
  auto* st = service_->store;
  const std::uint32_t uid = messages_[index].uid;
  const Needs needs = needs_of(cmd.fetch);
  Layout layout;
  if (needs.header && summary && (summary->structure_complete || !needs.structure)) {
    layout.summary = std::move(*summary);
  } else if (needs.header) {
    bool structure = needs.structure;
    auto read = [st, root = mailbox_root_, name = selected_folder_, uid, structure] {  // named: see BlockingPool::run
      return read_summary(*st, root, name, uid, structure, max_kept_header);
    };
    auto scanned = co_await service_->pool->run(read);
    if (!scanned) {
      if (scanned.error().code == ErrorCode::not_found) co_return FetchOutcome::gone;
      line(log::Record::store).with("uid", uid).with("error", scanned.error().message).error("cannot read message");
      co_return FetchOutcome::failed;
    }
    if (std::string bytes = encode_summary(scanned->summary); !bytes.empty()) made.push_back({uid, std::move(bytes)});
    layout.summary = std::move(scanned->summary);
    layout.header = std::move(scanned->header);
  }

  bool flags_reported = false;
  bool sets_seen = std::any_of(cmd.fetch.begin(), cmd.fetch.end(), [](const FetchItem& i) { return i.sets_seen(); });
  if (sets_seen && !read_only_ && (messages_[index].flags & store::flag_seen) == 0) {
    auto flags = static_cast<std::uint8_t>(messages_[index].flags | store::flag_seen);
    auto mark = [st, root = mailbox_root_, name = selected_folder_, uid] {  // named: see BlockingPool::run
      store::FlagUpdate seen;
      seen.mode = store::FlagUpdate::Mode::add;
      seen.flags = store::flag_seen;
      return st->update_flags(root, name, std::span<const std::uint32_t>(&uid, 1), seen);
    };
    auto marked = co_await service_->pool->run(mark);
    if (marked && !marked->missing.empty()) co_return FetchOutcome::gone;
    if (marked) {
      messages_[index].flags = flags;
      if (!marked->changed.empty()) messages_[index].modseq = marked->changed.front().modseq;
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
  // RFC 7162 §3.1.4.1: CHANGEDSINCE implies MODSEQ; so does CONDSTORE with a \Seen set here.
  bool modseq_listed = std::any_of(cmd.fetch.begin(), cmd.fetch.end(), [](const FetchItem& i) { return i.kind == FetchKind::modseq; });
  if (!modseq_listed && (cmd.fetch_modifiers.changed_since || (flags_reported && condstore_on()))) {
    separate();
    out_.append(fmt::format("MODSEQ ({})", std::max<std::uint64_t>(m.modseq, 1)));
  }
  if (flags_reported) {  // RFC 3501 §6.4.5: report \Seen set by this FETCH
    separate();
    out_.append("FLAGS " + flags_of(m));
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
        out_.append("FLAGS " + flags_of(m));
        continue;
      case FetchKind::modseq:
        separate();
        out_.append(fmt::format("MODSEQ ({})", std::max<std::uint64_t>(m.modseq, 1)));
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
        out_.append("ENVELOPE " + layout.summary.structure.envelope);
        continue;
      case FetchKind::body_structure:
      case FetchKind::body: {
        bool ext = item.kind == FetchKind::body_structure;
        separate();
        out_.append(ext ? "BODYSTRUCTURE " : "BODY ");
        out_.append(format_body_structure(layout.summary.structure, ext));
        continue;
      }
      default:
        break;
    }
    // Items with message data: open the message first, so a message that vanished
    // leaves a well-formed response without the item.
    std::unique_ptr<store::MessageReader> reader;
    ItemData data = locate(item, layout, layout.summary.total);
    if (!data.nil && !data.in_memory) {
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
      data = locate(item, layout, reader->size());
      if (data.filter_from_file) {
        auto read = [&reader, offset = data.offset, length = static_cast<std::size_t>(data.length)] {
          return read_range(*reader, offset, length);
        };
        auto header = co_await service_->pool->run(read);
        if (!header) {
          outcome = FetchOutcome::failed;
          line(log::Record::store).with("uid", uid).with("error", header.error().message).warn("cannot read message");
          continue;
        }
        data.in_memory = true;
        data.memory = filter_header_fields(*header, item.section.fields,
                                           item.section.text == SectionText::header_fields_not);
        data.length = data.memory.size();
      }
    }
    apply_partial(item, data);
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
      auto skip = [&reader, offset = data.offset] { return reader->skip(offset); };
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
