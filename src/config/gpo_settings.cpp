#include "dirmail/config/gpo_settings.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <limits>
#include <map>
#include <set>

#include "dirmail/base/strings.hpp"
#include "dirmail/base/windows_path_map.hpp"
#include "dirmail/config/policy_merge.hpp"
#include "dirmail/config/policy_registry.hpp"
#include "setting_value.hpp"

namespace dirmail::config {
namespace {

// A registry key as a map key: lower case (the registry ignores case), no trailing '\'.
std::string key_id(std::string_view key) {
  while (!key.empty() && key.back() == '\\') key.remove_suffix(1);
  return to_lower(key);
}

bool within(const std::string& key, const std::string& tree) {
  return key == tree || (key.size() > tree.size() && key.starts_with(tree) && key[tree.size()] == '\\');
}

// What the registry would hold under the dirmail key after this GPO's entries alone,
// and what they deleted there.
class GpoRegistryView {
 public:
  struct Stored {
    const RegistryPolEntry* entry = nullptr;
    bool only_if_unset = false;
  };

  void apply(const RegistryPolEntry& entry) {
    const std::string key = key_id(entry.key);
    RegistryInstruction instruction = instruction_of(entry);
    if (instruction.action == RegistryAction::DeleteKeys) {
      for (const std::string& name : instruction.names) delete_tree(key_id(entry.key + "\\" + name));
      return;
    }
    if (!within(key, root_)) return;
    KeyState& state = keys_[key];
    switch (instruction.action) {
      case RegistryAction::SetValue: set(state, instruction.names.front(), entry, false); break;
      case RegistryAction::SetValueIfAbsent: {
        const std::string name = to_lower(instruction.names.front());
        if (state.values.contains(name)) break;
        // Deleted earlier in this file: absent when this entry runs, whatever came before.
        set(state, name, entry, !was_deleted(key, name));
        break;
      }
      case RegistryAction::DeleteValue:
      case RegistryAction::DeleteValues:
        for (const std::string& name : instruction.names) {
          state.values.erase(to_lower(name));
          state.deleted.insert(to_lower(name));
        }
        break;
      case RegistryAction::DeleteAllValues:
        state.values.clear();
        state.all_deleted = true;
        break;
      case RegistryAction::DeleteKeys:
      case RegistryAction::SecureKey:
      case RegistryAction::CreateKey: break;
    }
  }

  const Stored* find(std::string_view key, std::string_view name) const {
    const auto state = keys_.find(key_id(key));
    if (state == keys_.end()) return nullptr;
    const auto value = state->second.values.find(to_lower(name));
    return value == state->second.values.end() ? nullptr : &value->second;
  }

  bool was_deleted(std::string_view key, std::string_view name) const {
    const std::string id = key_id(key);
    if (std::any_of(deleted_trees_.begin(), deleted_trees_.end(),
                    [&](const std::string& t) { return within(id, t); })) {
      return true;
    }
    const auto state = keys_.find(id);
    return state != keys_.end() && (state->second.all_deleted || state->second.deleted.contains(to_lower(name)));
  }

  // Every value of `key`, by lower-case name.
  std::vector<std::pair<std::string, Stored>> values_of(std::string_view key) const {
    const auto state = keys_.find(key_id(key));
    if (state == keys_.end()) return {};
    return {state->second.values.begin(), state->second.values.end()};
  }

 private:
  struct KeyState {
    std::map<std::string, Stored> values;  // by lower-case name
    std::set<std::string> deleted;
    bool all_deleted = false;
  };

  void set(KeyState& state, std::string_view name, const RegistryPolEntry& entry, bool only_if_unset) {
    state.values[to_lower(name)] = Stored{&entry, only_if_unset};
  }

  void delete_tree(const std::string& tree) {
    if (!within(tree, root_) && !within(root_, tree)) return;
    std::erase_if(keys_, [&](const auto& key) { return within(key.first, tree); });
    deleted_trees_.push_back(tree);
  }

  std::string root_ = key_id(kPolicyRootKey);
  std::map<std::string, KeyState> keys_;
  std::vector<std::string> deleted_trees_;
};

std::optional<std::uint64_t> number_in(const RegistryPolEntry& entry) {
  if (entry.type != RegistryType::Dword && entry.type != RegistryType::DwordBigEndian &&
      entry.type != RegistryType::Qword) {
    return std::nullopt;
  }
  return std::get<std::uint64_t>(entry.data);
}

std::string describe(const RegistryPolEntry& entry) {
  std::string out(to_string(entry.type));
  if (const auto* n = std::get_if<std::uint64_t>(&entry.data)) out += " " + std::to_string(*n);
  return out;
}

class GpoSettingsReader {
 public:
  GpoSettingsReader(std::string_view gpo_name, std::span<const RegistryPolEntry> entries) {
    result_.gpo_name = std::string(gpo_name);
    for (const RegistryPolEntry& entry : entries) view_.apply(entry);
  }

  GpoSettings read() && {
    for (const SettingSpec& spec : setting_specs()) read_one(spec);
    return std::move(result_);
  }

 private:
  void problem(const SettingSpec& spec, std::string_view reason, std::string_view key, std::string_view value) {
    std::string why(reason);
    if (!why.starts_with(spec.name)) why = std::string(spec.name) + ": " + why;
    result_.problems.push_back("GPO \"" + escape_control(result_.gpo_name) + "\": " + escape_control(why) + " (HKLM\\" +
                               std::string(key) + "\\" + std::string(value) + "); ignored");
  }

  // Checks `node` as dirmail.toml's value for `spec` would be, and keeps it when good.
  void accept(const SettingSpec& spec, const toml::node& node, const GpoRegistryView::Stored& stored,
              std::string_view key, std::string_view value) {
    Settings scratch;
    if (auto bad = detail::read_setting(spec, node, scratch)) return problem(spec, bad->reason, key, value);
    SettingValueData data = setting_value(scratch, spec);
    if (spec.type == SettingType::Path) {
      const std::string& path = std::get<std::string>(data);
      if (!path.empty() && path.front() != '/' && !is_unc_path(path)) {
        return problem(spec, "\"" + path + "\" is relative; a policy must give an absolute path", key, value);
      }
    }
    result_.settings.push_back(GpoSetting{&spec, std::move(data), stored.only_if_unset});
  }

  void read_one(const SettingSpec& spec) {
    const PolicyRegistryValue reg = policy_registry_value(spec);
    const GpoRegistryView::Stored* stored = view_.find(reg.key, reg.value_name);
    if (stored == nullptr) {
      if (view_.was_deleted(reg.key, reg.value_name))
        result_.settings.push_back(GpoSetting{&spec, std::nullopt, false});
      return;
    }
    const RegistryPolEntry& entry = *stored->entry;
    const auto number = number_in(entry);
    switch (reg.storage) {
      case PolicyStorage::Flag:
        if (!number || *number > 1)
          return problem(spec, "expected REG_DWORD 0 or 1, got " + describe(entry), reg.key, reg.value_name);
        return accept(spec, toml::value<bool>(*number == 1), *stored, reg.key, reg.value_name);
      case PolicyStorage::Dword:
      case PolicyStorage::Qword:
        if (!number) {
          return problem(spec, "expected " + std::string(registry_type_name(reg.storage)) + ", got " + describe(entry),
                         reg.key, reg.value_name);
        }
        if (*number > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
          return problem(spec, std::to_string(*number) + " is out of range", reg.key, reg.value_name);
        }
        return accept(spec, toml::value<std::int64_t>(static_cast<std::int64_t>(*number)), *stored, reg.key,
                      reg.value_name);
      case PolicyStorage::Text:
        if (entry.type != RegistryType::String) {
          return problem(spec, "expected REG_SZ, got " + describe(entry), reg.key, reg.value_name);
        }
        return accept(spec, toml::value<std::string>(std::get<std::string>(entry.data)), *stored, reg.key,
                      reg.value_name);
      case PolicyStorage::List: return read_list(spec, reg, *stored);
    }
  }

  // A list: the marker value 1 says the policy is Enabled; the entries are the values
  // "1", "2", ... of the list key, in number order.
  void read_list(const SettingSpec& spec, const PolicyRegistryValue& reg, const GpoRegistryView::Stored& marker) {
    const auto number = number_in(*marker.entry);
    if (!number || *number != 1) {
      return problem(spec, "expected REG_DWORD 1 (Enabled), got " + describe(*marker.entry), reg.key, reg.value_name);
    }
    std::vector<std::pair<std::uint64_t, const RegistryPolEntry*>> items;
    for (const auto& [name, stored] : view_.values_of(reg.list_key)) {
      const auto index = parse_decimal(name, 10);
      if (!index || *index == 0) {
        return problem(spec, "list entry name \"" + stored.entry->value_name + "\" is not a number 1, 2, ...",
                       reg.list_key, stored.entry->value_name);
      }
      if (stored.entry->type != RegistryType::String) {
        return problem(spec, "expected REG_SZ, got " + describe(*stored.entry), reg.list_key, stored.entry->value_name);
      }
      items.emplace_back(*index, stored.entry);
    }
    std::sort(items.begin(), items.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    toml::array array;
    for (const auto& item : items) array.push_back(std::get<std::string>(item.second->data));
    accept(spec, array, marker, reg.list_key, "*");
  }

  GpoRegistryView view_;
  GpoSettings result_;
};

}  // namespace

GpoSettings read_gpo_settings(std::string_view gpo_name, std::span<const RegistryPolEntry> entries) {
  return GpoSettingsReader(gpo_name, entries).read();
}

}  // namespace dirmail::config
