#include "dirmail/migration/original_mailbox.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <set>

#include "dirmail/base/header_fields.hpp"
#include "dirmail/base/posix_file.hpp"
#include "dirmail/base/strings.hpp"
#include "dirmail/store/folder_names.hpp"
#include "dirmail/store/mail_store.hpp"

namespace dirmail::migration {
namespace {

constexpr std::string_view kMessageSuffix = ".EML";
constexpr std::string_view kDirmailOwnUserFile = "AUTOREPLY.LOG";  // dirmail's, never the original's

// A name as it can be quoted in a one-line reason.
std::string quoted(std::string_view name) {
  if (valid_utf8(name)) return escape_control(name);
  std::string out;
  for (char c : name) {
    auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7f) {
      out.push_back(c);
    } else {
      static constexpr char hex[] = "0123456789abcdef";
      out += "\\x";
      out.push_back(hex[u >> 4]);
      out.push_back(hex[u & 15]);
    }
  }
  return out;
}

struct Entry {
  std::string name;
  struct stat st {};
};

// The entries of the directory open at `fd` (which this takes), symbolic links not
// followed; limit_exceeded past max_entries_per_folder.
Result<std::vector<Entry>> list_entries(int fd, const std::string& path) {
  DIR* dir = ::fdopendir(fd);
  if (dir == nullptr) {
    int err = errno;
    ::close(fd);
    return errno_error("read folder", path, err);
  }
  std::vector<Entry> entries;
  Status failure;
  for (;;) {
    errno = 0;
    dirent* d = ::readdir(dir);
    if (d == nullptr) {
      if (errno != 0) failure = errno_error("read folder", path, errno);
      break;
    }
    std::string_view name = d->d_name;
    if (name == "." || name == "..") continue;
    if (entries.size() == max_entries_per_folder) {
      failure = make_error(ErrorCode::limit_exceeded, "more than " + std::to_string(max_entries_per_folder) +
                                                          " entries in " + path);
      break;
    }
    Entry e;
    e.name = std::string(name);
    if (::fstatat(::dirfd(dir), d->d_name, &e.st, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno == ENOENT) continue;  // removed meanwhile
      failure = errno_error("look at", posix::join_path(path, name), errno);
      break;
    }
    entries.push_back(std::move(e));
  }
  ::closedir(dir);
  if (!failure) return std::move(failure).error();
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.name < b.name; });
  return entries;
}

// The UIDL of a message file name: <UIDL>.EML in any case.
std::optional<std::string_view> message_uidl(std::string_view name) {
  if (name.size() <= kMessageSuffix.size()) return std::nullopt;
  if (!iequals(name.substr(name.size() - kMessageSuffix.size()), kMessageSuffix)) return std::nullopt;
  return name.substr(0, name.size() - kMessageSuffix.size());
}

class TreeReader {
 public:
  explicit TreeReader(OriginalMailbox& out) : out_(out) {}

  void skip(std::string_view relative, std::string_view why) {
    if (out_.skipped.size() < max_listed_skipped) {
      out_.skipped.push_back(quoted(relative) + ": " + std::string(why));
    } else {
      ++unlisted_;
    }
  }

  void finish() {
    if (unlisted_ > 0) out_.skipped.push_back("(" + std::to_string(unlisted_) + " more not listed)");
  }

  // Reads the folder open at `fd` (taken), named `name` ("INBOX" for the mailbox
  // folder), at `depth` levels below the mailbox folder; `relative` is its path from
  // there ("" for the mailbox folder) for reasons.
  Status read_folder(int fd, const std::string& path, const std::string& name, const std::string& relative,
                     std::size_t depth) {
    if (out_.folders.size() == max_folders_per_mailbox)
      return make_error(ErrorCode::limit_exceeded, "more than " + std::to_string(max_folders_per_mailbox) +
                                                       " folders in " + out_.path);
    auto entries = list_entries(fd, path);
    if (!entries) return std::move(entries).error();
    const std::size_t index = out_.folders.size();
    out_.folders.push_back(OriginalFolder{name, path, {}});
    std::vector<OriginalMessage> messages;
    std::set<std::string> uidls;
    struct Child {
      std::string name;
      std::string file;
    };
    std::vector<Child> children;
    for (const Entry& e : *entries) {
      const std::string rel = relative.empty() ? e.name : relative + "/" + e.name;
      if (S_ISLNK(e.st.st_mode)) {
        skip(rel, "a symbolic link (not followed)");
        continue;
      }
      if (S_ISDIR(e.st.st_mode)) {
        children.push_back({e.name, rel});
        continue;
      }
      if (!S_ISREG(e.st.st_mode)) {
        skip(rel, "not a file or folder");
        continue;
      }
      if (depth == 0 && store::valid_user_file_name(e.name)) {
        if (iequals(e.name, kDirmailOwnUserFile)) {
          skip(rel, "dirmail's own file, not the original's");
        } else {
          out_.user_files.push_back(e.name);
        }
        continue;
      }
      auto uidl = message_uidl(e.name);
      if (!uidl) {
        skip(rel, "not a message file (no .EML)");
        continue;
      }
      if (!store::valid_uidl(*uidl)) {
        skip(rel, "its name is no POP3 UIDL (1-70 printable ASCII characters)");
        continue;
      }
      if (static_cast<std::uint64_t>(e.st.st_size) > max_message_bytes) {
        skip(rel, "larger than " + std::to_string(max_message_bytes) + " bytes");
        continue;
      }
      if (messages.size() == max_messages_per_folder)
        return make_error(ErrorCode::limit_exceeded, "more than " + std::to_string(max_messages_per_folder) +
                                                         " messages in " + path);
      OriginalMessage m;
      m.file = e.name;
      m.uidl = std::string(*uidl);
      m.size = static_cast<std::uint64_t>(e.st.st_size);
      m.modified = static_cast<std::int64_t>(e.st.st_mtim.tv_sec);
      messages.push_back(std::move(m));
    }
    // Two files for one UIDL ("A.EML" and "A.eml" on a case-sensitive copy): the first
    // by name is kept, as POP3 must not list one UIDL twice.
    std::vector<OriginalMessage> kept;
    kept.reserve(messages.size());
    for (auto& m : messages) {
      if (!uidls.insert(m.uidl).second) {
        skip(relative.empty() ? m.file : relative + "/" + m.file, "the same UIDL as another file of the folder");
        continue;
      }
      kept.push_back(std::move(m));
    }
    std::stable_sort(kept.begin(), kept.end(), [](const OriginalMessage& a, const OriginalMessage& b) {
      return a.modified != b.modified ? a.modified < b.modified : a.file < b.file;
    });
    out_.folders[index].messages = std::move(kept);

    for (const Child& c : children)
      DIRMAIL_TRY(read_child(posix::join_path(path, c.name), name, c.name, c.file, depth + 1));
    return ok_status();
  }

 private:
  Status read_child(const std::string& path, const std::string& parent_name, const std::string& name,
                    const std::string& relative, std::size_t depth) {
    if (depth > max_folder_depth) {
      skip(relative, "deeper than " + std::to_string(max_folder_depth) + " folder levels");
      return ok_status();
    }
    if (!valid_utf8(name)) {
      skip(relative, "its name is not UTF-8");
      return ok_status();
    }
    const std::string folder = depth == 1 ? name : parent_name + "/" + name;
    auto canonical = store::canonical_folder_name(folder);
    if (!canonical) {
      skip(relative, "not a folder name the store takes: " + canonical.error().message);
      return ok_status();
    }
    if (*canonical == store::kInboxFolder) {
      skip(relative, "would be INBOX again");
      return ok_status();
    }
    int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENOENT) return ok_status();  // removed meanwhile
      return errno_error("open folder", path, errno);
    }
    return read_folder(fd, path, *canonical, relative, depth);
  }

  OriginalMailbox& out_;
  std::size_t unlisted_ = 0;
};

// The first empty line ends the header section.
std::string_view header_part(std::string_view text) {
  text = text.substr(0, max_status_header_bytes);
  for (std::size_t pos = 0; pos < text.size();) {
    std::size_t lf = text.find('\n', pos);
    if (lf == std::string_view::npos) break;
    std::string_view line = text.substr(pos, lf - pos);
    if (line.empty() || line == "\r") return text.substr(0, pos);
    pos = lf + 1;
  }
  return text;
}

// Whether an account or domain could only name its own folder.
bool safe_component(std::string_view name) {
  if (name.empty() || name == "." || name == "..") return false;
  if (name.find("..") != std::string_view::npos) return false;
  for (char c : name)
    if (c == '/' || c == '\\' || c == '\0') return false;
  return true;
}

}  // namespace

Result<OriginalMailbox> read_original_mailbox(const std::string& path) {
  // The mailbox folder itself may be reached through a link (a mounted share); nothing
  // below it is.
  int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return make_error(ErrorCode::not_found, "no mailbox folder: " + path);
    if (errno == ENOTDIR) return make_error(ErrorCode::invalid_argument, "not a folder: " + path);
    return errno_error("open mailbox folder", path, errno);
  }
  OriginalMailbox out;
  out.path = path;
  TreeReader reader(out);
  DIRMAIL_TRY(reader.read_folder(fd, path, std::string(store::kInboxFolder), "", 0));
  reader.finish();
  // INBOX stays first; the others by name, so parents come before their children.
  std::sort(out.folders.begin() + 1, out.folders.end(),
            [](const OriginalFolder& a, const OriginalFolder& b) { return a.name < b.name; });
  return out;
}

std::uint8_t flags_from_status_fields(std::string_view header_section) {
  std::uint8_t flags = 0;
  for (const HeaderField& field : split_header_fields(header_part(header_section))) {
    if (!iequals(field.name, "Status") && !iequals(field.name, "X-Status")) continue;
    for (char c : field_value(field)) {
      switch (c) {
        case 'R': flags |= store::flag_seen; break;
        case 'A': flags |= store::flag_answered; break;
        case 'F': flags |= store::flag_flagged; break;
        case 'T': flags |= store::flag_draft; break;
        default: break;  // O (old), D (see the header), anything else
      }
    }
  }
  return flags;
}

std::optional<OriginalLayout> parse_original_layout(std::string_view name) {
  if (name == "common") return OriginalLayout::common;
  if (name == "per-domain") return OriginalLayout::per_domain;
  if (name == "home") return OriginalLayout::home;
  return std::nullopt;
}

std::string_view to_string(OriginalLayout layout) {
  switch (layout) {
    case OriginalLayout::common: return "common";
    case OriginalLayout::per_domain: return "per-domain";
    case OriginalLayout::home: return "home";
  }
  return "common";
}

std::optional<std::string> original_mailbox_path(const OriginalMailboxPlace& place, const SoftAccount& row,
                                                 const std::optional<std::string>& mapped_home) {
  if (!safe_component(row.account)) return std::nullopt;
  switch (place.layout) {
    case OriginalLayout::common:
      if (place.work_folder.empty()) return std::nullopt;
      return posix::join_path(posix::join_path(place.work_folder, "inbox"), row.account);
    case OriginalLayout::per_domain:
      if (place.work_folder.empty() || !safe_component(row.domain)) return std::nullopt;
      return posix::join_path(posix::join_path(posix::join_path(place.work_folder, "inbox"), row.domain), row.account);
    case OriginalLayout::home:
      if (!mapped_home || mapped_home->empty() || mapped_home->find('\0') != std::string::npos) return std::nullopt;
      return posix::join_path(*mapped_home, "INETMAIL/INBOX");
  }
  return std::nullopt;
}

}  // namespace dirmail::migration
