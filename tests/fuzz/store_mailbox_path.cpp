// Fuzzes mailbox path template expansion (expand_mailbox_path). Input: five fields
// separated by LF: template, user name, domain, home folder, mailbox base folder. The
// base is made absolute ('/' prepended when missing), as the configuration loader does.
//
// The security properties: a result never has a ".." component, and a template that
// is relative (and does not start with an absolute %HOME%) stays under the base.
#include <string>
#include <vector>

#include "dirmail/base/strings.hpp"
#include "dirmail/store/mailbox_path.hpp"
#include "fuzz_check.hpp"

namespace {

using namespace dirmail;

// The lexical normal form of an absolute path, written independently of the store's.
std::string normal_absolute(std::string_view path) {
  std::vector<std::string_view> parts;
  for (auto part : split(path, '/')) {
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
      continue;
    }
    parts.push_back(part);
  }
  std::string out;
  for (auto part : parts) out += "/" + std::string(part);
  return out.empty() ? "/" : out;
}

bool starts_with_home(std::string_view tmpl) { return tmpl.size() >= 6 && iequals(tmpl.substr(0, 6), "%HOME%"); }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input = fuzz::as_view(data, size);
  const std::string_view tmpl = fuzz::take_field(input, '\n');
  store::MailboxPathVars vars;
  vars.username = std::string(fuzz::take_field(input, '\n'));
  vars.domain = std::string(fuzz::take_field(input, '\n'));
  vars.home = std::string(fuzz::take_field(input, '\n'));
  std::string base(input);
  if (base.empty() || base.front() != '/') base.insert(0, "/");

  auto result = store::expand_mailbox_path(tmpl, vars, base);
  auto again = store::expand_mailbox_path(tmpl, vars, base);
  FUZZ_CHECK(result.ok() == again.ok());
  if (!result) {
    FUZZ_CHECK(result.error().code == ErrorCode::invalid_argument);
    return 0;
  }
  FUZZ_CHECK(*result == *again);
  const std::string& path = *result;
  FUZZ_CHECK(!path.empty() && path.size() <= store::kMaxMailboxPathBytes);
  FUZZ_CHECK(path != "/");
  FUZZ_CHECK(tmpl.find('\0') == std::string_view::npos);

  // Lexically normal, with no way up. A UNC template or home gives "//server/share/...".
  const bool absolute = path.front() == '/';
  const bool on_share = path.starts_with("//");
  const auto parts = split(std::string_view(path).substr(on_share ? 2 : absolute ? 1 : 0), '/');
  if (on_share) FUZZ_CHECK(parts.size() >= 2);
  for (auto part : parts) {
    FUZZ_CHECK(!part.empty());
    FUZZ_CHECK(part != "." && part != "..");
  }

  const bool uses_home = store::mailbox_path_uses_home(tmpl);
  const bool tmpl_absolute = tmpl.front() == '/' || tmpl.front() == '\\';
  const bool home_absolute = !vars.home.empty() && vars.home.front() == '/';
  if (!tmpl_absolute && !(starts_with_home(tmpl) && home_absolute)) {
    // Relative: strictly below the base.
    const std::string root = normal_absolute(base);
    const std::string prefix = root == "/" ? root : root + "/";
    FUZZ_CHECK(path.size() > prefix.size() && path.compare(0, prefix.size(), prefix) == 0);
  }
  if (!uses_home) {
    // Then the user name is in it, and the home folder plays no part.
    FUZZ_CHECK(path.find(vars.username) != std::string::npos);
    store::MailboxPathVars other = vars;
    other.home = other.home.empty() ? "/elsewhere" : "";
    auto without_home = store::expand_mailbox_path(tmpl, other, base);
    FUZZ_CHECK(without_home.ok() && *without_home == path);
  }
  return 0;
}
