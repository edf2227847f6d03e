// APPEND (RFC 3501 §6.3.11) with APPENDUID (RFC 4315 UIDPLUS), and the mailbox limit
// APPEND and COPY check. The message literal was read by the framing (its limit is
// ImapOptions::max_append_size) and is stored straight from the command text, or, when
// larger than message_spool_threshold, from the anonymous file it was spooled to.
#include <fmt/format.h>

#include "dirmail/store/mailbox_limit.hpp"
#include "imap_session.hpp"

namespace dirmail::imap {

net::awaitable<bool> ImapSession::mailbox_has_room(const std::string& tag, std::uint64_t bytes) {
  const std::uint64_t limit = store::effective_mailbox_limit(mailbox_limit_, options_->mailbox_limit);
  if (limit == 0) co_return true;
  auto* st = service_->store;
  auto read = [st, root = mailbox_root_] { return st->usage(root); };  // named: see BlockingPool::run
  auto usage = co_await service_->pool->run(read);
  if (!usage) {
    // As at SMTP RCPT: an unknown usage does not refuse; the store reports real trouble.
    line(log::Record::store).with("error", usage.error().message).warn("mailbox usage unknown; limit not checked");
    co_return true;
  }
  const auto verdict = store::check_mailbox_limit(limit, *usage, bytes);
  if (verdict == store::LimitVerdict::fits) co_return true;
  line(log::Record::store).with("usage", *usage).with("limit", limit).with("size", bytes)
      .info("refused: over the mailbox limit");
  if (verdict == store::LimitVerdict::exceeds_limit)
    tagged(tag, fmt::format("NO [OVERQUOTA] Larger than the whole mailbox limit ({} bytes)", limit));
  else
    tagged(tag, fmt::format("NO [OVERQUOTA] Mailbox full ({} of {} bytes used); delete mail first", *usage, limit));
  co_return false;
}

net::awaitable<bool> ImapSession::append(const ImapCommand& cmd) {
  auto name = folder_from_client(cmd.tag, cmd.args[0]);
  if (!name) co_return true;
  const AppendArguments& a = cmd.append;
  if (a.message_size == 0) {
    tagged(cmd.tag, "NO [CANNOT] An empty message cannot be stored");
    co_return true;
  }
  for (const auto& keyword : a.keywords)
    if (!store::valid_keyword(keyword)) {
      tagged(cmd.tag, "NO [CANNOT] Invalid keyword: " + keyword);
      co_return true;
    }
  if (a.message_elided && !spooled_->status()) {
    store_failure(cmd.tag, spooled_->status().error(), "cannot spool APPEND message");
    co_return true;
  }
  // Checked again for a spooled message: the mailbox may have filled during the upload.
  if (!co_await mailbox_has_room(cmd.tag, a.message_size)) co_return true;
  // The command text and the spool file stay untouched until the next command is read.
  store::DeliverySource source;
  if (a.message_elided) {
    source.fd = spooled_->fd();
    source.length = a.message_size;
  } else {
    source.prefix = std::string_view(command_).substr(a.message_offset, a.message_size);
  }
  const store::AppendOptions options{a.flags, a.internal_date.value_or(0), a.keywords};
  auto* st = service_->store;
  auto save = [st, root = mailbox_root_, folder = *name, source, options] {  // named: see BlockingPool::run
    return st->append(root, folder, source, options);
  };
  auto saved = co_await service_->pool->run(save);
  if (!saved && saved.error().code == ErrorCode::not_found) {
    tagged(cmd.tag, "NO [TRYCREATE] No such mailbox; create it first");
    co_return true;
  }
  if (!saved && saved.error().code == ErrorCode::limit_exceeded) {
    tagged(cmd.tag, "NO [LIMIT] " + saved.error().message);  // the folder's keyword list is full
    co_return true;
  }
  if (!saved) {
    store_failure(cmd.tag, saved.error(), "cannot append message");
    co_return true;
  }
  line(log::Record::store).with("folder", *name).with("uid", saved->message.uid).with("size", a.message_size)
      .info("message appended");
  // RFC 3501 §6.3.11: a client with the mailbox selected hears of the new message.
  if (state_ == State::selected && selected_folder_ == *name && !co_await sync()) co_return false;
  tagged(cmd.tag, fmt::format("OK [APPENDUID {} {}] APPEND completed", saved->uidvalidity, saved->message.uid));
  co_return true;
}

}  // namespace dirmail::imap
