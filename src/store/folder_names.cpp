#include "dirmail/store/folder_names.hpp"

#include "dirmail/base/strings.hpp"

namespace dirmail::store {
namespace {

constexpr char kHex[] = "0123456789ABCDEF";

bool is_control(std::string_view name, std::size_t i) {
  auto c = static_cast<unsigned char>(name[i]);
  if (c < 0x20 || c == 0x7f) return true;
  // C1 controls U+0080..U+009F are C2 80..C2 9F in UTF-8.
  return c == 0xc2 && i + 1 < name.size() && static_cast<unsigned char>(name[i + 1]) <= 0x9f;
}

bool must_escape(std::string_view name, std::size_t i) {
  auto c = static_cast<unsigned char>(name[i]);
  if (c < 0x20 || c == 0x7f) return true;
  switch (c) {
    case '%': case '/': case '.': case '\\': case ':': case '*': case '?': case '"': case '<': case '>': case '|':
      return true;
    case ' ':
      return i == 0 || i + 1 == name.size();  // Windows drops a trailing space; Explorer trips on a leading one
    default:
      return false;
  }
}

// Names Windows gives to devices, whatever follows them: a share cannot hold a file
// or folder of that name. Compared after encoding, where no '.' is left.
bool is_windows_device_name(std::string_view name) {
  static constexpr std::string_view fixed[] = {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$", "CLOCK$"};
  for (auto device : fixed)
    if (iequals(name, device)) return true;
  if (name.size() < 4 || !(istarts_with(name, "COM") || istarts_with(name, "LPT"))) return false;
  std::string_view number = name.substr(3);
  if (number.size() == 1) return number[0] >= '0' && number[0] <= '9';
  // COM¹, COM², COM³ (and LPT) are devices too.
  return number == "\xc2\xb9" || number == "\xc2\xb2" || number == "\xc2\xb3";
}

void append_escaped(std::string& out, unsigned char c) {
  out += '%';
  out += kHex[c >> 4];
  out += kHex[c & 0xf];
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;  // lower case too: exactly one spelling per name
}

Error invalid(std::string message) { return make_error(ErrorCode::invalid_argument, std::move(message)); }

}  // namespace

bool is_inbox_folder(std::string_view name) { return iequals(name, kInboxFolder); }

Result<std::string> canonical_folder_name(std::string_view name) {
  if (name.empty()) return invalid("folder name is empty");
  if (name.size() > kMaxFolderNameBytes)
    return invalid("folder name is longer than " + std::to_string(kMaxFolderNameBytes) + " bytes");
  if (!valid_utf8(name)) return invalid("folder name is not valid UTF-8");
  for (std::size_t i = 0; i < name.size(); ++i)
    if (is_control(name, i)) return invalid("folder name contains a control character");
  std::size_t depth = 0;
  for (auto level : split(name, '/')) {
    if (level.empty()) return invalid("folder name has an empty level");
    if (level == "." || level == "..") return invalid("folder name has a '.' or '..' level");
    ++depth;
  }
  if (depth > kMaxFolderDepth)
    return invalid("folder name has more than " + std::to_string(kMaxFolderDepth) + " levels");

  std::string canonical(name);
  std::string_view first = std::string_view(name).substr(0, name.find('/'));
  if (is_inbox_folder(first)) canonical.replace(0, first.size(), kInboxFolder);
  if (folder_directory_name(canonical).size() > kMaxFolderDirectoryBytes)
    return invalid("folder name is too long for a folder of the store");
  return canonical;
}

std::string folder_directory_name(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (must_escape(name, i)) {
      append_escaped(out, static_cast<unsigned char>(name[i]));
    } else {
      out += name[i];
    }
  }
  // Device names are all ASCII letters first: escaping that letter is enough.
  if (is_windows_device_name(out)) {
    std::string first;
    append_escaped(first, static_cast<unsigned char>(out[0]));
    out.replace(0, 1, first);
  }
  return out;
}

std::optional<std::string> folder_from_directory_name(std::string_view directory_name) {
  if (directory_name.empty() || directory_name.size() > kMaxFolderDirectoryBytes) return std::nullopt;
  std::string name;
  name.reserve(directory_name.size());
  for (std::size_t i = 0; i < directory_name.size(); ++i) {
    if (directory_name[i] != '%') {
      name += directory_name[i];
      continue;
    }
    if (i + 2 >= directory_name.size()) return std::nullopt;
    int high = hex_value(directory_name[i + 1]);
    int low = hex_value(directory_name[i + 2]);
    if (high < 0 || low < 0) return std::nullopt;
    name += static_cast<char>(high * 16 + low);
    i += 2;
  }
  // Only the one spelling folder_directory_name gives: two directories can never hold
  // the same folder, and names we did not make are left alone.
  auto canonical = canonical_folder_name(name);
  if (!canonical || *canonical != name || folder_directory_name(name) != directory_name) return std::nullopt;
  return name;
}

}  // namespace dirmail::store
