// dirmailctl policy show [--registry-pol FILE --gpo-name NAME]
// Without --registry-pol, the Group Policy is the one dirmaild applies: the file it keeps
// in server.data_dir (config/policy_state.hpp), worked out into settings the same way.
#include <fcntl.h>

#include <ostream>
#include <span>
#include <type_traits>
#include <variant>

#include <boost/json.hpp>

#include "commands.hpp"
#include "dirmail/base/posix_file.hpp"
#include "dirmail/base/strings.hpp"
#include "dirmail/config/gpo_settings.hpp"
#include "dirmail/config/loader.hpp"
#include "dirmail/config/policy_merge.hpp"
#include "dirmail/config/registry_pol.hpp"
#include "dirmail/config/policy_state.hpp"
#include "dirmail/config/setting_lines.hpp"
#include "dirmail/directory_settings/group_policy_source.hpp"

namespace dirmail::ctl {
namespace {

int usage(std::ostream& err) {
  err << "usage: dirmailctl policy show [--json] [--registry-pol FILE --gpo-name NAME]\n"
         "  Each setting's effective value and where it comes from: the default, a line of the\n"
         "  configuration file, or a GPO: the Group Policy dirmaild applies (kept in\n"
         "  server.data_dir/group-policy.state). --registry-pol previews what a GPO's Registry.pol\n"
         "  (Machine\\Registry.pol in SYSVOL) would change, as if NAME were the only GPO.\n";
  return 2;
}

// The file's bytes, refusing one longer than `limit`.
Result<std::string> read_bounded(const std::string& path, std::size_t limit) {
  auto fd = posix::open_file(path, O_RDONLY | O_CLOEXEC);
  if (!fd) return std::move(fd).error();
  auto text = posix::pread_up_to(fd->get(), 0, limit + 1, path);
  if (!text) return std::move(text).error();
  if (text->size() > limit) {
    return make_error(ErrorCode::limit_exceeded, path + ": larger than " + std::to_string(limit) + " bytes");
  }
  return text;
}

struct PolicyPreview {
  std::string file;
  std::string gpo_name;
};

}  // namespace

int policy_command(const std::string& config_path, const Args& args, std::ostream& out, std::ostream& err) {
  if (args.empty() || args[0] != "show") return usage(err);
  PolicyPreview preview;
  bool json = false;
  for (std::size_t i = 1; i < args.size(); ++i) {
    if (args[i] == "--json") {
      json = true;
    } else if (args[i] == "--registry-pol" && i + 1 < args.size()) {
      preview.file = args[++i];
    } else if (args[i] == "--gpo-name" && i + 1 < args.size()) {
      preview.gpo_name = args[++i];
    } else {
      return usage(err);
    }
  }
  if (preview.file.empty() != preview.gpo_name.empty()) return usage(err);

  auto text = read_bounded(config_path, config::kMaxConfigBytes);
  if (!text) {
    err << "dirmailctl: " << text.error().message << "\n";
    return 1;
  }
  auto settings = config::load_file(config_path);
  if (!settings) {
    err << "dirmailctl: " << settings.error().message << "\n";
    return 1;
  }
  const auto lines = config::setting_lines(*text);

  config::MergedPolicy policy;
  if (!preview.file.empty()) {
    auto file = read_bounded(preview.file, config::kMaxRegistryPolBytes);
    if (!file) {
      err << "dirmailctl: " << file.error().message << "\n";
      return 1;
    }
    auto entries = config::read_registry_pol(*file);
    if (!entries) {
      err << "dirmailctl: " << preview.file << ": " << entries.error().message << "\n";
      return 1;
    }
    const config::GpoSettings gpo = config::read_gpo_settings(preview.gpo_name, *entries);
    policy = config::merge_gpo_settings(std::span(&gpo, 1));
    for (const std::string& problem : policy.problems) err << problem << "\n";
    config::apply_policy(policy, *settings);
  } else if (directory::group_policy_enabled(*settings)) {
    const std::string state = config::policy_state_file(*settings);
    auto gpos = config::load_policy_state(state);
    auto merged = gpos ? config::policy_of(*gpos) : Result<config::MergedPolicy>(gpos.error());
    if (merged) {
      policy = std::move(*merged);
      config::apply_policy(policy, *settings);
    } else if (merged.error().code == ErrorCode::not_found) {
      err << "dirmailctl: dirmaild has applied no Group Policy yet (" << state << ")\n";
    } else {
      err << "dirmailctl: " << merged.error().message << "\n";
      return 1;
    }
  }

  if (json) {
    boost::json::array list;
    for (const config::SettingSpec& spec : config::setting_specs()) {
      boost::json::object o{{"name", spec.name}};
      std::visit([&o](const auto& v) {
        if constexpr (std::is_same_v<std::decay_t<decltype(v)>, std::vector<std::string>>) {
          boost::json::array items;
          for (const auto& item : v) items.emplace_back(item);
          o["value"] = std::move(items);
        } else {
          o["value"] = v;
        }
      }, config::setting_value(*settings, spec));
      if (const config::PolicyOverride* p = policy.find(spec.name)) {
        o["source"] = "gpo";
        o["gpo"] = p->gpo_name;
      } else if (const auto line = lines.find(spec.name); line != lines.end()) {
        o["source"] = "file";
        o["file"] = config_path;
        o["line"] = line->second;
      } else {
        o["source"] = "default";
      }
      list.emplace_back(std::move(o));
    }
    out << boost::json::serialize(list) << "\n";
    return out ? 0 : 1;
  }
  for (const config::SettingSpec& spec : config::setting_specs()) {
    out << spec.name << " = " << config::format_setting_value(config::setting_value(*settings, spec)) << "  # ";
    if (const config::PolicyOverride* o = policy.find(spec.name)) {
      out << "GPO \"" << escape_control(o->gpo_name) << "\"";
    } else if (const auto line = lines.find(spec.name); line != lines.end()) {
      out << config_path << ":" << line->second;
    } else {
      out << "default";
    }
    out << "\n";
  }
  return out ? 0 : 1;
}

}  // namespace dirmail::ctl
