// Fuzzes the folder name codec (folder_names.hpp). Input: a folder name, optionally
// followed by LF and a second name (names cannot hold LF). The whole input is also
// tried as a directory name found at a mailbox root.
//
// The security properties: a valid name's directory name is one harmless path
// component on Linux and on Windows/SMB (no separator, no '.', no reserved character,
// no control character, no space at either end, no device name, at most 255 bytes),
// and decodes back to exactly that name; only those directory names decode; two names
// a case-insensitive share cannot tell apart by directory differ only in ASCII case.
#include <string>

#include "dirmail/base/strings.hpp"
#include "dirmail/store/folder_names.hpp"
#include "dirmail/store/mail_store.hpp"
#include "fuzz_check.hpp"

namespace {

using namespace dirmail;

// Written independently of the codec's own list.
bool windows_device(std::string_view name) {
  for (std::string_view device : {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$", "CLOCK$"})
    if (iequals(name, device)) return true;
  if (!istarts_with(name, "COM") && !istarts_with(name, "LPT")) return false;
  std::string_view rest = name.substr(3);
  if (rest.size() == 1 && rest[0] >= '0' && rest[0] <= '9') return true;
  return rest == "\xc2\xb9" || rest == "\xc2\xb2" || rest == "\xc2\xb3";
}

void check_safe_component(std::string_view dir) {
  FUZZ_CHECK(!dir.empty() && dir.size() <= store::kMaxFolderDirectoryBytes);
  for (char c : dir) {
    auto u = static_cast<unsigned char>(c);
    FUZZ_CHECK(u >= 0x20 && u != 0x7f);
    FUZZ_CHECK(std::string_view("/\\.:*?\"<>|").find(c) == std::string_view::npos);
  }
  FUZZ_CHECK(dir.front() != ' ' && dir.back() != ' ');
  FUZZ_CHECK(!windows_device(dir));
  FUZZ_CHECK(!store::valid_user_file_name(dir));
  FUZZ_CHECK(valid_utf8(dir));
}

// The directory name of a valid name, with every property checked.
std::string check_name(std::string_view input) {
  auto canonical = store::canonical_folder_name(input);
  if (!canonical) {
    FUZZ_CHECK(canonical.error().code == ErrorCode::invalid_argument);
    return {};
  }
  const std::string& name = *canonical;
  FUZZ_CHECK(name.size() == input.size() && name.size() <= store::kMaxFolderNameBytes);
  // Only the first level's INBOX may change, and only in case.
  FUZZ_CHECK(iequals(name, input));
  auto first = input.substr(0, input.find('/'));
  if (!store::is_inbox_folder(first)) FUZZ_CHECK(name == input);
  for (auto level : split(name, '/')) FUZZ_CHECK(!level.empty() && level != "." && level != "..");
  auto again = store::canonical_folder_name(name);
  FUZZ_CHECK(again.ok() && *again == name);

  std::string dir = store::folder_directory_name(name);
  check_safe_component(dir);
  auto decoded = store::folder_from_directory_name(dir);
  FUZZ_CHECK(decoded.has_value() && *decoded == name);
  return dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input = fuzz::as_view(data, size);
  std::string_view rest = input;
  const std::string_view first = fuzz::take_field(rest, '\n');
  const std::string first_dir = check_name(first);
  if (rest.data() != nullptr && first.size() < input.size()) {
    const std::string second_dir = check_name(rest);
    if (!first_dir.empty() && !second_dir.empty()) {
      auto a = *store::canonical_folder_name(first);
      auto b = *store::canonical_folder_name(rest);
      FUZZ_CHECK((a == b) == (first_dir == second_dir));
      if (iequals(first_dir, second_dir)) FUZZ_CHECK(iequals(a, b));
    }
  }

  // Anything found at a root: decodes only when it is exactly what the codec makes.
  if (auto name = store::folder_from_directory_name(input)) {
    FUZZ_CHECK(store::folder_directory_name(*name) == input);
    check_safe_component(input);
    auto canonical = store::canonical_folder_name(*name);
    FUZZ_CHECK(canonical.ok() && *canonical == *name);
  }
  return 0;
}
