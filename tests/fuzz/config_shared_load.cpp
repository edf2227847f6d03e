// Fuzzes the loading of a node's own file over the pair's shared file
// (config::add_shared_config). What loads must follow the precedence: a node-local
// setting has the local file's value, a setting the local file sets has its value, any
// other setting that is not a path has the shared file's value, and there is one
// warning per setting set in both. What fails must say FILE:LINE for each problem, in
// the file the problem is in.
#include <string>

#include "dirmail/base/strings.hpp"
#include "dirmail/config/loader.hpp"
#include "dirmail/config/node_local_settings.hpp"
#include "dirmail/config/policy_merge.hpp"
#include "dirmail/config/setting_lines.hpp"
#include "dirmail/config/shared_config.hpp"
#include "fuzz_check.hpp"

namespace {

using namespace dirmail;

constexpr std::string_view kLocal = "local.toml";
constexpr std::string_view kShared = "shared.toml";

void check_error(const Error& e) {
  FUZZ_CHECK(e.code == ErrorCode::invalid_argument || e.code == ErrorCode::limit_exceeded);
  for (auto line : split(e.message, '\n')) {
    const bool located = line.starts_with(std::string(kShared) + ":") || line.starts_with(std::string(kLocal) + ":");
    if (!located) std::fprintf(stderr, "error message:\n%s\n", e.message.c_str());
    FUZZ_CHECK(located);
  }
}

}  // namespace

// Input: the local file, a NUL byte, the shared file.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input = fuzz::as_view(data, size);
  const std::string_view local_text = fuzz::take_field(input, '\0');
  const std::string_view shared_text = input;

  auto local_settings = config::load_string(local_text, kLocal, "/etc/dirmail");
  if (!local_settings) return 0;  // config_load fuzzes the local file alone
  const config::LocalConfig local{std::string(kLocal), std::string(local_text), "/etc/dirmail", *local_settings};
  auto layered = config::add_shared_config(local, shared_text, kShared);
  if (!layered) {
    check_error(layered.error());
    return 0;
  }
  auto shared_alone = config::load_string(shared_text, kShared, "/etc/dirmail");
  FUZZ_CHECK(shared_alone.ok());  // what layers loads alone too

  const auto local_lines = config::setting_lines(local_text);
  const auto shared_lines = config::setting_lines(shared_text);
  std::size_t in_both = 0;
  for (const config::SettingSpec& spec : config::setting_specs()) {
    const bool set_locally = local_lines.contains(spec.name);
    const bool set_shared = shared_lines.contains(spec.name);
    FUZZ_CHECK(!(set_shared && config::node_local_setting(spec.name)));
    in_both += set_locally && set_shared;
    const auto value = config::setting_value(layered->settings, spec);
    if (set_locally || config::node_local_setting(spec.name)) {
      FUZZ_CHECK(value == config::setting_value(*local_settings, spec));
    } else if (spec.type != config::SettingType::Path) {
      // A shared path lies under this node's data folder, not the shared file's.
      FUZZ_CHECK(value == config::setting_value(*shared_alone, spec));
    }
  }
  FUZZ_CHECK(layered->warnings.size() == in_both);
  return 0;
}
