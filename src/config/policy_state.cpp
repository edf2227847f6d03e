#include "dirmail/config/policy_state.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <charconv>

#include "dirmail/base/private_file.hpp"
#include "dirmail/config/gpo_settings.hpp"
#include "dirmail/config/registry_pol.hpp"

namespace dirmail::config {
namespace {

constexpr std::string_view kHeader = "dirmail-group-policy 1\n";
constexpr std::size_t kMaxGpos = 1000;
constexpr std::size_t kMaxNameBytes = 4096;
constexpr std::size_t kMaxStateBytes = 64 * 1024 * 1024;

bool read_number(std::string_view& text, char end, std::size_t& out) {
  const auto stop = text.find(end);
  if (stop == std::string_view::npos || stop == 0) return false;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + stop, out);
  if (ec != std::errc() || ptr != text.data() + stop) return false;
  text.remove_prefix(stop + 1);
  return true;
}

}  // namespace

std::string policy_state_file(const Settings& settings) { return settings.server_data_dir + "/group-policy.state"; }

Status save_policy_state(const std::string& path, std::span<const FetchedGpo> gpos) {
  std::string out(kHeader);
  for (const FetchedGpo& gpo : gpos) {
    out += std::to_string(gpo.name.size()) + " " + std::to_string(gpo.registry_pol.size()) + "\n";
    out += gpo.name;
    out += gpo.registry_pol;
  }
  return posix::write_private_file(path, out);
}

Result<std::vector<FetchedGpo>> load_policy_state(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 && errno == ENOENT)
    return make_error(ErrorCode::not_found, path + ": no Group Policy applied yet");
  auto text = posix::read_private_file(path, kMaxStateBytes);
  if (!text) return std::move(text).error();
  std::string_view rest = *text;
  auto damaged = [&] {
    return make_error(ErrorCode::invalid_argument,
                      path + ": damaged at byte " + std::to_string(text->size() - rest.size()));
  };
  if (!rest.starts_with(kHeader)) return damaged();
  rest.remove_prefix(kHeader.size());
  std::vector<FetchedGpo> gpos;
  while (!rest.empty()) {
    std::size_t name_size = 0;
    std::size_t file_size = 0;
    if (gpos.size() == kMaxGpos || !read_number(rest, ' ', name_size) || !read_number(rest, '\n', file_size) ||
        name_size > kMaxNameBytes || file_size > kMaxRegistryPolBytes || rest.size() < name_size + file_size)
      return damaged();
    gpos.push_back(FetchedGpo{std::string(rest.substr(0, name_size)), std::string(rest.substr(name_size, file_size))});
    rest.remove_prefix(name_size + file_size);
  }
  return gpos;
}

Result<MergedPolicy> policy_of(std::span<const FetchedGpo> gpos) {
  std::vector<GpoSettings> settings;
  for (const FetchedGpo& gpo : gpos) {
    std::vector<RegistryPolEntry> entries;
    if (!gpo.registry_pol.empty()) {
      auto read = read_registry_pol(gpo.registry_pol);
      if (!read) {
        return make_error(read.error().code,
                          "GPO \"" + gpo.name + "\": Machine\\Registry.pol: " + read.error().message);
      }
      entries = std::move(*read);
    }
    settings.push_back(read_gpo_settings(gpo.name, entries));
  }
  return merge_gpo_settings(settings);
}

}  // namespace dirmail::config
