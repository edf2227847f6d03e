#pragma once
// An in-memory MailStore with the folder semantics mail_store.hpp promises, for
// session tests of the folder commands that must not depend on a backend.
#include <algorithm>
#include <cctype>
#include <cstring>
#include <functional>
#include <map>
#include <mutex>

#include "dirmail/base/posix_file.hpp"
#include "dirmail/store/mail_store.hpp"

namespace dirmail::imap::testing {

class MemoryMailStore final : public store::MailStore {
 public:
  // The message a source names: its prefix, then its file range (a spooled APPEND).
  static std::string source_text(const store::DeliverySource& source) {
    std::string text(source.prefix);
    if (source.length > 0) {
      auto rest = posix::pread_up_to(source.fd, source.offset, source.length, "spool");
      if (rest) text += *rest;
    }
    return text;
  }
  std::string_view backend_name() const override { return "memory"; }

  Result<store::MessageInfo> deliver(const std::string& root, std::string_view folder,
                                     const store::DeliverySource& source) override {
    std::lock_guard lock(mu_);
    auto* f = find(root, folder, true);
    if (!f) return make_error(ErrorCode::not_found, "no such folder");
    return add(*f, source_text(source), 0, 0);
  }
  Result<store::FolderStatus> status(const std::string& root, std::string_view folder) override {
    std::lock_guard lock(mu_);
    auto* f = find(root, folder, false);
    if (!f) {
      if (folder == "INBOX") return store::FolderStatus{};
      return make_error(ErrorCode::not_found, "no such folder");
    }
    store::FolderStatus s;
    s.uidvalidity = f->uidvalidity;
    s.uidnext = f->uidnext;
    for (const auto& m : f->messages) s.messages.push_back(m.info);
    s.keywords = f->keywords;
    s.highest_modseq = f->highest_modseq;
    s.first_recent_uid = f->first_recent_uid;
    return s;
  }
  Result<std::unique_ptr<store::MessageReader>> open_message(const std::string& root, std::string_view folder,
                                                             std::uint32_t uid) override {
    std::lock_guard lock(mu_);
    auto* m = message(root, folder, uid);
    if (!m) return make_error(ErrorCode::not_found, "no such message");
    return std::unique_ptr<store::MessageReader>(std::make_unique<Reader>(m->bytes));
  }
  Result<void> set_flags(const std::string& root, std::string_view folder, std::uint32_t uid,
                         std::uint8_t flags) override {
    std::lock_guard lock(mu_);
    auto* m = message(root, folder, uid);
    if (!m) return make_error(ErrorCode::not_found, "no such message");
    if (m->info.flags != flags) m->info.modseq = ++find(root, folder, false)->highest_modseq;
    m->info.flags = flags;
    return {};
  }
  // Keywords by bit over the folder's list, mod-sequences from a folder counter: the
  // rules of mail_store.hpp, kept simple.
  Result<store::FlagUpdateResult> update_flags(const std::string& root, std::string_view folder,
                                               std::span<const std::uint32_t> uids,
                                               const store::FlagUpdate& update) override {
    std::lock_guard lock(mu_);
    auto* f = find(root, folder, false);
    if (!f) return make_error(ErrorCode::not_found, "no such folder");
    std::uint64_t mask = 0;
    for (const auto& name : update.keywords) {
      if (!store::valid_keyword(name)) return make_error(ErrorCode::invalid_argument, "invalid keyword");
      auto it = std::find_if(f->keywords.begin(), f->keywords.end(), [&](const std::string& k) { return iequal(k, name); });
      if (it == f->keywords.end()) {
        if (update.mode == store::FlagUpdate::Mode::remove) continue;
        if (f->keywords.size() >= store::kMaxKeywords) return make_error(ErrorCode::limit_exceeded, "too many keywords");
        f->keywords.push_back(name);
        it = f->keywords.end() - 1;
      }
      mask |= std::uint64_t{1} << (it - f->keywords.begin());
    }
    store::FlagUpdateResult result;
    for (std::uint32_t uid : uids) {
      auto m = std::find_if(f->messages.begin(), f->messages.end(), [&](const Message& x) { return x.info.uid == uid; });
      if (m == f->messages.end()) {
        result.missing.push_back(uid);
        continue;
      }
      if (update.unchanged_since && m->info.modseq > *update.unchanged_since) {
        result.modified.push_back(uid);
        continue;
      }
      auto flags = m->info.flags;
      auto keywords = m->info.keywords;
      using Mode = store::FlagUpdate::Mode;
      if (update.mode == Mode::replace) flags = update.flags, keywords = mask;
      else if (update.mode == Mode::add) flags |= update.flags, keywords |= mask;
      else flags &= static_cast<std::uint8_t>(~update.flags), keywords &= ~mask;
      if (flags == m->info.flags && keywords == m->info.keywords) continue;
      m->info.flags = flags;
      m->info.keywords = keywords;
      m->info.modseq = ++f->highest_modseq;
      result.changed.push_back(m->info);
    }
    result.keywords = f->keywords;
    result.highest_modseq = f->highest_modseq;
    return result;
  }
  Result<std::uint32_t> take_recent(const std::string& root, std::string_view folder, std::uint32_t uidnext) override {
    std::lock_guard lock(mu_);
    auto* f = find(root, folder, false);
    if (!f) return uidnext;
    const std::uint32_t first = f->first_recent_uid;
    f->first_recent_uid = std::max(first, uidnext);
    return first;
  }
  Result<void> expunge(const std::string& root, std::string_view folder,
                       std::span<const std::uint32_t> uids) override {
    std::lock_guard lock(mu_);
    auto* f = find(root, folder, false);
    if (!f) return make_error(ErrorCode::not_found, "no such folder");
    std::erase_if(f->messages, [&](const Message& m) { return std::find(uids.begin(), uids.end(), m.info.uid) != uids.end(); });
    ++f->highest_modseq;
    return {};
  }
  Result<std::uint64_t> usage(const std::string& root) override {
    std::lock_guard lock(mu_);
    std::uint64_t total = 0;
    for (const auto& [name, f] : mailboxes_[root])
      for (const auto& m : f.messages) total += m.info.size;
    return total;
  }
  Result<std::optional<std::string>> read_user_file(const std::string&, std::string_view, std::size_t) override {
    return std::optional<std::string>();
  }
  Status write_user_file(const std::string&, std::string_view, std::string_view) override { return ok_status(); }

  Result<std::vector<std::string>> list_folders(const std::string& root) override {
    std::lock_guard lock(mu_);
    std::vector<std::string> out{"INBOX"};
    for (const auto& [name, f] : mailboxes_[root])
      if (name != "INBOX") out.push_back(name);
    return out;
  }
  Status create_folder(const std::string& root, std::string_view folder) override {
    std::lock_guard lock(mu_);
    if (folder.empty() || folder.find("//") != std::string_view::npos) return make_error(ErrorCode::invalid_argument, "bad name");
    if (folder == "INBOX" || find(root, folder, false)) return make_error(ErrorCode::already_exists, "exists");
    mailboxes_[root][std::string(folder)].uidvalidity = next_uidvalidity_++;
    return ok_status();
  }
  Status delete_folder(const std::string& root, std::string_view folder) override {
    std::lock_guard lock(mu_);
    if (folder == "INBOX") return make_error(ErrorCode::permission_denied, "INBOX");
    auto& folders = mailboxes_[root];
    auto it = folders.find(std::string(folder));
    if (it == folders.end()) return make_error(ErrorCode::not_found, "no such folder");
    for (const auto& [name, f] : folders)
      if (name.rfind(std::string(folder) + "/", 0) == 0) return make_error(ErrorCode::already_exists, "has children");
    folders.erase(it);
    return ok_status();
  }
  Status rename_folder(const std::string& root, std::string_view from, std::string_view to) override {
    std::lock_guard lock(mu_);
    auto& folders = mailboxes_[root];
    const std::string f(from), t(to);
    if (from != "INBOX" && !folders.contains(f)) return make_error(ErrorCode::not_found, "no such folder");
    if (to == "INBOX" || folders.contains(t)) return make_error(ErrorCode::already_exists, "exists");
    if (from == "INBOX") {
      Folder moved = std::move(folders["INBOX"]);
      moved.uidvalidity = next_uidvalidity_++;
      folders[t] = std::move(moved);
      folders["INBOX"] = Folder{next_uidvalidity_++, 1, {}, {}, 0, 1};
      return ok_status();
    }
    std::map<std::string, Folder> renamed;
    for (auto it = folders.begin(); it != folders.end();) {
      if (it->first == f || it->first.rfind(f + "/", 0) == 0) {
        renamed[t + it->first.substr(f.size())] = std::move(it->second);
        it = folders.erase(it);
      } else {
        ++it;
      }
    }
    for (auto& [name, folder] : renamed) folders[name] = std::move(folder);
    return ok_status();
  }
  Result<store::AppendResult> append(const std::string& root, std::string_view folder,
                                     const store::DeliverySource& source,
                                     const store::AppendOptions& options) override {
    std::lock_guard lock(mu_);
    auto* f = find(root, folder, folder == "INBOX");
    if (!f) return make_error(ErrorCode::not_found, "no such folder");
    for (const auto& name : options.keywords)
      if (!store::valid_keyword(name)) return make_error(ErrorCode::invalid_argument, "invalid keyword");
    auto info = add(*f, source_text(source), options.flags, options.internal_date);
    for (const auto& name : options.keywords) {
      auto it = std::find_if(f->keywords.begin(), f->keywords.end(), [&](const std::string& k) { return iequal(k, name); });
      if (it == f->keywords.end()) {
        f->keywords.push_back(name);
        it = f->keywords.end() - 1;
      }
      info.keywords |= std::uint64_t{1} << (it - f->keywords.begin());
    }
    f->messages.back().info.keywords = info.keywords;
    return store::AppendResult{f->uidvalidity, info};
  }
  Result<store::CopyResult> copy(const std::string& root, std::string_view from, std::span<const std::uint32_t> uids,
                                 std::string_view to) override {
    std::lock_guard lock(mu_);
    auto* source = find(root, from, from == "INBOX");
    auto* target = find(root, to, to == "INBOX");
    if (!source || !target) return make_error(ErrorCode::not_found, "no such folder");
    std::vector<std::uint32_t> wanted(uids.begin(), uids.end());
    std::sort(wanted.begin(), wanted.end());
    std::vector<Message> originals;
    for (std::uint32_t uid : wanted)
      for (const auto& m : source->messages)
        if (m.info.uid == uid) originals.push_back(m);
    store::CopyResult result{target->uidvalidity, {}};
    for (const auto& m : originals) {
      auto info = add(*target, m.bytes, m.info.flags, m.info.internal_date);
      result.copied.push_back({m.info.uid, info.uid});
    }
    return result;
  }
  Result<std::vector<std::string>> subscriptions(const std::string& root) override {
    std::lock_guard lock(mu_);
    return subscriptions_[root];
  }
  Status set_subscriptions(const std::string& root, const std::vector<std::string>& names) override {
    std::lock_guard lock(mu_);
    subscriptions_[root] = names;
    return ok_status();
  }
  // POP3's maildrop lease: IMAP never takes it.
  Status acquire_lease(const std::string&, std::string_view, std::int64_t,
                       const std::function<bool(std::string_view)>&) override {
    return ok_status();
  }
  Status release_lease(const std::string&, std::string_view) override { return ok_status(); }

 private:
  struct Message {
    store::MessageInfo info;
    std::string bytes;
  };
  struct Folder {
    std::uint32_t uidvalidity = 0;
    std::uint32_t uidnext = 1;
    std::vector<Message> messages;
    std::vector<std::string> keywords;
    std::uint64_t highest_modseq = 0;
    std::uint32_t first_recent_uid = 1;
  };
  static bool iequal(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
             return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
  }
  class Reader final : public store::MessageReader {
   public:
    explicit Reader(std::string bytes) : bytes_(std::move(bytes)) {}
    Result<std::size_t> read(std::span<char> buf) override {
      std::size_t n = std::min(buf.size(), bytes_.size() - pos_);
      std::memcpy(buf.data(), bytes_.data() + pos_, n);
      pos_ += n;
      return n;
    }
    std::uint64_t size() const override { return bytes_.size(); }

   private:
    std::string bytes_;
    std::size_t pos_ = 0;
  };

  Folder* find(const std::string& root, std::string_view folder, bool create_inbox) {
    auto& folders = mailboxes_[root];
    auto it = folders.find(std::string(folder));
    if (it != folders.end()) return &it->second;
    if (!create_inbox || folder != "INBOX") return nullptr;
    auto& inbox = folders["INBOX"];
    inbox.uidvalidity = next_uidvalidity_++;
    return &inbox;
  }
  Message* message(const std::string& root, std::string_view folder, std::uint32_t uid) {
    auto* f = find(root, folder, false);
    if (!f) return nullptr;
    for (auto& m : f->messages)
      if (m.info.uid == uid) return &m;
    return nullptr;
  }
  store::MessageInfo add(Folder& f, std::string bytes, std::uint8_t flags, std::int64_t date) {
    store::MessageInfo info;
    info.uid = f.uidnext++;
    info.size = bytes.size();
    info.flags = flags;
    info.internal_date = date != 0 ? date : 1700000000;
    info.uidl = std::to_string(info.uid);
    info.modseq = ++f.highest_modseq;
    f.messages.push_back({info, std::move(bytes)});
    return info;
  }

  std::mutex mu_;
  std::map<std::string, std::map<std::string, Folder>> mailboxes_;
  std::map<std::string, std::vector<std::string>> subscriptions_;
  std::uint32_t next_uidvalidity_ = 100;
};

}  // namespace dirmail::imap::testing
