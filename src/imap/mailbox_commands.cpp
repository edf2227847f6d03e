// The mailbox commands of the authenticated state (RFC 3501 §6.3): CREATE, DELETE,
// RENAME, SUBSCRIBE, UNSUBSCRIBE, LIST and LSUB (with RFC 5258 LIST-EXTENDED and RFC
// 6154 SPECIAL-USE), STATUS, and the mailbox lookup SELECT and EXAMINE share. Names
// arrive in modified UTF-7 and reach the store as checked UTF-8 (mailbox_names.hpp).
#include <algorithm>

#include <fmt/format.h>

#include "dirmail/imap/imap_string.hpp"
#include "dirmail/imap/mailbox_listing.hpp"
#include "dirmail/imap/mailbox_name_codec.hpp"
#include "dirmail/imap/mailbox_names.hpp"
#include "imap_session.hpp"

namespace dirmail::imap {
namespace {

// The name as a response writes it: modified UTF-7, an atom or a quoted string.
std::string wire_name(const std::string& folder) {
  auto wire = encode_mailbox_name(folder);
  std::string out;
  append_astring(out, wire ? *wire : folder);  // checked names are UTF-8: always encoded
  return out;
}

bool contains(const std::vector<std::string>& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// Whether `name` is `parent` or a mailbox below it.
bool within(const std::string& name, const std::string& parent) {
  return name == parent || (name.size() > parent.size() && name.compare(0, parent.size(), parent) == 0 &&
                            name[parent.size()] == hierarchy_delimiter);
}

// A subscription or the selected name after RENAME: "from/x" becomes "to/x".
std::optional<std::string> renamed(const std::string& name, const std::string& from, const std::string& to) {
  if (!within(name, from)) return std::nullopt;
  return to + name.substr(from.size());
}

}  // namespace

std::optional<std::string> ImapSession::folder_from_client(const std::string& tag, std::string_view wire) {
  auto name = folder_name_from_client(wire);
  if (!name) {
    line(log::Record::store).with("mailbox", wire).with("reason", name.error().message).info("mailbox name refused");
    tagged(tag, fmt::format("NO [CANNOT] {}", name.error().message));
    return std::nullopt;
  }
  return std::move(*name);
}

void ImapSession::store_failure(const std::string& tag, const Error& error, std::string_view what) {
  if (error.code == ErrorCode::invalid_argument) {
    tagged(tag, "NO [CANNOT] The mailbox name is not allowed here");
    return;
  }
  line(log::Record::store).with("error", error.message).error(what);
  tagged(tag, "NO [UNAVAILABLE] The mailbox store cannot do this now, try again later");
}

net::awaitable<void> ImapSession::create_special_use_folders() {
  struct Outcome {
    std::vector<std::string> created;
    Status error;
  };
  auto* st = service_->store;
  auto ensure = [st, root = mailbox_root_] {  // named: see BlockingPool::run
    Outcome o;
    auto folders = st->list_folders(root);
    if (!folders) {
      o.error = std::move(folders).error();
      return o;
    }
    for (const auto& f : special_use_folders) {
      if (contains(*folders, f.name)) continue;
      auto made = st->create_folder(root, f.name);
      if (made) o.created.emplace_back(f.name);
      else if (made.error().code != ErrorCode::already_exists) o.error = std::move(made).error();
    }
    if (o.created.empty()) return o;
    // Subscribed too: many clients show only subscribed folders.
    auto subscribed = st->subscriptions(root);
    if (!subscribed) {
      o.error = std::move(subscribed).error();
      return o;
    }
    for (const auto& c : o.created)
      if (!contains(*subscribed, c)) subscribed->push_back(c);
    if (auto written = st->set_subscriptions(root, *subscribed); !written) o.error = std::move(written).error();
    return o;
  };
  Outcome o = co_await service_->pool->run(ensure);
  for (const auto& c : o.created) line(log::Record::store).with("folder", c).info("special-use folder created");
  if (!o.error) line(log::Record::store).with("error", o.error.error().message).warn("cannot create special-use folders");
}

net::awaitable<void> ImapSession::list(const ImapCommand& cmd) {
  const bool lsub = cmd.name == CommandName::lsub;
  const ListOptions& o = cmd.list;
  const bool need_subscriptions = lsub || o.select_subscribed || o.return_subscribed;
  using Names = std::pair<std::vector<std::string>, std::vector<std::string>>;
  auto* st = service_->store;
  auto read = [st, root = mailbox_root_, need_subscriptions]() -> Result<Names> {  // named: see BlockingPool::run
    auto folders = st->list_folders(root);
    if (!folders) return std::move(folders).error();
    Names names{std::move(*folders), {}};
    if (need_subscriptions) {
      auto subscribed = st->subscriptions(root);
      if (!subscribed) return std::move(subscribed).error();
      names.second = std::move(*subscribed);
    }
    return names;
  };
  auto names = co_await service_->pool->run(read);
  if (!names) {
    store_failure(cmd.tag, names.error(), "cannot list mailboxes");
    co_return;
  }
  // Only names a client could have created are shown (the store may hold others).
  auto usable = [](std::vector<std::string>& v) {
    std::erase_if(v, [](const std::string& n) { return n != "INBOX" && !check_folder_name(n); });
  };
  usable(names->first);
  usable(names->second);
  ListRequest request{lsub, cmd.args[0], std::span<const std::string>(cmd.args).subspan(1), o};
  for (const auto& response : list_mailboxes(request, names->first, names->second)) {
    reply(response);
    if (!co_await flush_if_large()) co_return;
  }
  tagged(cmd.tag, lsub ? "OK LSUB completed" : "OK LIST completed");
}

net::awaitable<std::optional<store::FolderStatus>> ImapSession::open_mailbox(const std::string& tag,
                                                                             const std::string& folder,
                                                                             std::string_view purpose) {
  auto* st = service_->store;
  // The store answers status() for INBOX before its first delivery; other folders
  // must have been created.
  auto load = [st, root = mailbox_root_, folder]() -> Result<store::FolderStatus> {  // named: see BlockingPool::run
    if (folder != inbox_folder) {
      auto folders = st->list_folders(root);
      if (!folders) return std::move(folders).error();
      if (!contains(*folders, folder)) return make_error(ErrorCode::not_found, "no such folder");
    }
    return st->status(root, folder);
  };
  auto status = co_await service_->pool->run(load);
  if (!status && status.error().code == ErrorCode::not_found) {
    tagged(tag, "NO [NONEXISTENT] No such mailbox");
    co_return std::nullopt;
  }
  if (!status) {
    line(log::Record::store).with("folder", folder).with("error", status.error().message).error(purpose);
    tagged(tag, "NO [UNAVAILABLE] Cannot open the mailbox, try again later");
    co_return std::nullopt;
  }
  co_return std::move(*status);
}

net::awaitable<void> ImapSession::status(const ImapCommand& cmd) {
  auto name = folder_from_client(cmd.tag, cmd.args[0]);
  if (!name) co_return;
  auto folder = co_await open_mailbox(cmd.tag, *name, "cannot read mailbox status");
  if (!folder) co_return;
  std::uint64_t unseen = 0;
  std::uint64_t recent = 0;  // not yet claimed by any session (selected_commands.cpp)
  for (const auto& m : folder->messages) {
    if ((m.flags & store::flag_seen) == 0) ++unseen;
    if (m.uid >= folder->first_recent_uid) ++recent;
  }
  std::string items;
  for (const auto& item : cmd.status_items) {
    std::uint64_t value = 0;
    if (item == "MESSAGES") value = folder->messages.size();
    else if (item == "RECENT") value = recent;
    else if (item == "UIDNEXT") value = folder->uidnext;
    else if (item == "UIDVALIDITY") value = std::max<std::uint32_t>(folder->uidvalidity, 1);
    else if (item == "UNSEEN") value = unseen;
    else if (item == "HIGHESTMODSEQ") {  // RFC 7162 §3.1.6; it turns CONDSTORE on (§3.1)
      value = std::max<std::uint64_t>(folder->highest_modseq, 1);
      condstore_used_ = true;
    }
    if (!items.empty()) items += ' ';
    items += fmt::format("{} {}", item, value);
  }
  reply(fmt::format("* STATUS {} ({})", wire_name(*name), items));
  tagged(cmd.tag, "OK STATUS completed");
}

net::awaitable<void> ImapSession::create(const ImapCommand& cmd) {
  std::string_view wire = cmd.args[0];
  // RFC 3501 §6.3.3: a trailing delimiter only says that names will be created below.
  if (wire.size() > 1 && wire.back() == hierarchy_delimiter) wire.remove_suffix(1);
  auto name = folder_from_client(cmd.tag, wire);
  if (!name) co_return;
  if (*name == inbox_folder) {
    tagged(cmd.tag, "NO [ALREADYEXISTS] INBOX always exists");
    co_return;
  }
  auto* st = service_->store;
  auto make = [st, root = mailbox_root_, folder = *name] { return st->create_folder(root, folder); };  // named
  auto made = co_await service_->pool->run(make);
  if (!made && made.error().code == ErrorCode::already_exists) {
    tagged(cmd.tag, "NO [ALREADYEXISTS] Mailbox already exists");
  } else if (!made) {
    store_failure(cmd.tag, made.error(), "cannot create mailbox");
  } else {
    line(log::Record::store).with("folder", *name).info("mailbox created");
    tagged(cmd.tag, "OK CREATE completed");
  }
}

net::awaitable<void> ImapSession::delete_mailbox(const ImapCommand& cmd) {
  auto name = folder_from_client(cmd.tag, cmd.args[0]);
  if (!name) co_return;
  if (*name == inbox_folder) {
    tagged(cmd.tag, "NO [CANNOT] INBOX cannot be deleted");
    co_return;
  }
  auto* st = service_->store;
  auto remove = [st, root = mailbox_root_, folder = *name] { return st->delete_folder(root, folder); };  // named
  auto removed = co_await service_->pool->run(remove);
  if (!removed) {
    switch (removed.error().code) {
      case ErrorCode::not_found: tagged(cmd.tag, "NO [NONEXISTENT] No such mailbox"); break;
      case ErrorCode::already_exists:
        tagged(cmd.tag, "NO [HASCHILDREN] The mailbox has mailboxes below it; delete those first");
        break;
      case ErrorCode::permission_denied: tagged(cmd.tag, "NO [CANNOT] This mailbox cannot be deleted"); break;
      default: store_failure(cmd.tag, removed.error(), "cannot delete mailbox"); break;
    }
    co_return;
  }
  line(log::Record::store).with("folder", *name).info("mailbox deleted");
  if (state_ == State::selected && selected_folder_ == *name) {
    deselect();
    reply("* OK [CLOSED] The selected mailbox was deleted");
  }
  tagged(cmd.tag, "OK DELETE completed");
}

net::awaitable<void> ImapSession::rename(const ImapCommand& cmd) {
  auto from = folder_from_client(cmd.tag, cmd.args[0]);
  if (!from) co_return;
  auto to = folder_from_client(cmd.tag, cmd.args[1]);
  if (!to) co_return;
  if (*to == inbox_folder || *to == *from) {
    tagged(cmd.tag, "NO [ALREADYEXISTS] The new name already exists");
    co_return;
  }
  if (within(*to, *from) && *from != inbox_folder) {
    tagged(cmd.tag, "NO [CANNOT] A mailbox cannot be moved below itself");
    co_return;
  }
  struct Outcome {
    Status renamed;
    Status subscriptions;
  };
  auto* st = service_->store;
  auto move = [st, root = mailbox_root_, from = *from, to = *to] {  // named: see BlockingPool::run
    Outcome o;
    o.renamed = st->rename_folder(root, from, to);
    if (!o.renamed || from == inbox_folder) return o;  // INBOX stays, with its subscription
    // Subscriptions follow the folders, so a client that lists subscribed names keeps them.
    auto subscribed = st->subscriptions(root);
    if (!subscribed) {
      o.subscriptions = std::move(subscribed).error();
      return o;
    }
    bool changed = false;
    for (auto& s : *subscribed)
      if (auto now = renamed(s, from, to)) {
        s = std::move(*now);
        changed = true;
      }
    if (changed) o.subscriptions = st->set_subscriptions(root, *subscribed);
    return o;
  };
  Outcome o = co_await service_->pool->run(move);
  if (!o.renamed) {
    switch (o.renamed.error().code) {
      case ErrorCode::not_found: tagged(cmd.tag, "NO [NONEXISTENT] No such mailbox"); break;
      case ErrorCode::already_exists: tagged(cmd.tag, "NO [ALREADYEXISTS] The new name already exists"); break;
      default: store_failure(cmd.tag, o.renamed.error(), "cannot rename mailbox"); break;
    }
    co_return;
  }
  if (!o.subscriptions)
    line(log::Record::store).with("error", o.subscriptions.error().message).warn("cannot rename subscriptions");
  line(log::Record::store).with("folder", *from).with("to", *to).info("mailbox renamed");
  if (state_ == State::selected && *from != inbox_folder)
    if (auto now = renamed(selected_folder_, *from, *to)) selected_folder_ = std::move(*now);
  tagged(cmd.tag, "OK RENAME completed");
}

net::awaitable<void> ImapSession::subscribe(const ImapCommand& cmd, bool add) {
  auto name = folder_from_client(cmd.tag, cmd.args[0]);
  if (!name) co_return;
  if (*name == inbox_folder) {  // always subscribed
    tagged(cmd.tag, add ? "OK SUBSCRIBE completed" : "NO [CANNOT] INBOX stays subscribed");
    co_return;
  }
  auto* st = service_->store;
  auto change = [st, root = mailbox_root_, folder = *name, add]() -> Status {  // named: see BlockingPool::run
    auto subscribed = st->subscriptions(root);
    if (!subscribed) return std::move(subscribed).error();
    const bool present = contains(*subscribed, folder);
    if (add == present) return ok_status();
    if (add) subscribed->push_back(folder);
    else std::erase(*subscribed, folder);
    return st->set_subscriptions(root, *subscribed);
  };
  auto changed = co_await service_->pool->run(change);
  if (!changed) {
    store_failure(cmd.tag, changed.error(), "cannot change subscriptions");
    co_return;
  }
  tagged(cmd.tag, add ? "OK SUBSCRIBE completed" : "OK UNSUBSCRIBE completed");
}

}  // namespace dirmail::imap
