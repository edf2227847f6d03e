#pragma once
// The settings table as JSON, for tools and tests outside C++ (the check of the Group
// Policy templates reads it): an array of one object per row, in table order, with the
// keys name, section, key, type, default (TOML text), unit, allowed_values (Enum), min,
// max, has_range, scope, description_en, description_ja and policy_value.
#include <string>

namespace dirmail::config {

std::string render_settings_json();

}  // namespace dirmail::config
