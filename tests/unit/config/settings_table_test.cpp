// The settings table itself: every row's default loads through the same validation as
// a user's file, and every range and enum is enforced.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "dirmail/config/loader.hpp"
#include "dirmail/config/settings.hpp"

namespace dirmail::config {
namespace {

const std::string kBase = "/etc/dirmail";

std::string document(const SettingSpec& spec, std::string_view value) {
  return "[" + std::string(spec.section()) + "]\n" + std::string(spec.key()) + " = " + std::string(value) + "\n";
}

TEST(SettingsTable, EveryDefaultLoadsAndEqualsTheDefaults) {
  for (const SettingSpec& spec : setting_specs()) {
    SCOPED_TRACE(std::string(spec.name));
    auto loaded = load_string(document(spec, spec.default_toml), "row.toml", kBase);
    ASSERT_TRUE(loaded.ok()) << loaded.error().message;
    EXPECT_EQ(*loaded, defaults(kBase));
  }
}

TEST(SettingsTable, EveryRangeIsEnforcedAtBothEnds) {
  int ranged = 0;
  for (const SettingSpec& spec : setting_specs()) {
    if (!spec.has_range()) continue;
    SCOPED_TRACE(std::string(spec.name));
    ++ranged;
    EXPECT_TRUE(load_string(document(spec, std::to_string(spec.min)), "r.toml", kBase).ok());
    EXPECT_TRUE(load_string(document(spec, std::to_string(spec.max)), "r.toml", kBase).ok());

    auto below = load_string(document(spec, std::to_string(spec.min - 1)), "r.toml", kBase);
    ASSERT_FALSE(below.ok());
    EXPECT_EQ(below.error().message, "r.toml:2: " + std::string(spec.name) + ": " + std::to_string(spec.min - 1) +
                                         " is out of range " + std::to_string(spec.min) + ".." +
                                         std::to_string(spec.max));
    auto above = load_string(document(spec, std::to_string(spec.max + 1)), "r.toml", kBase);
    ASSERT_FALSE(above.ok());
    EXPECT_EQ(above.error().code, ErrorCode::invalid_argument);
  }
  EXPECT_GE(ranged, 10);
}

TEST(SettingsTable, EveryNumericSettingHasARange) {
  for (const SettingSpec& spec : setting_specs()) {
    if (spec.is_numeric()) {
      EXPECT_TRUE(spec.has_range()) << spec.name;
    }
  }
}

TEST(SettingsTable, EveryRowRejectsAValueOfAnotherType) {
  for (const SettingSpec& spec : setting_specs()) {
    SCOPED_TRACE(std::string(spec.name));
    const std::string_view wrong = spec.type == SettingType::Bool ? "\"yes\"" : "true";
    auto loaded = load_string(document(spec, wrong), "t.toml", kBase);
    ASSERT_FALSE(loaded.ok());
    EXPECT_EQ(loaded.error().code, ErrorCode::invalid_argument);
    EXPECT_NE(loaded.error().message.find("t.toml:2: " + std::string(spec.name) + ": expected "), std::string::npos)
        << loaded.error().message;
  }
}

TEST(SettingsTable, EnumsAcceptEachListedValueAndNothingElse) {
  for (const SettingSpec& spec : setting_specs()) {
    if (spec.type != SettingType::Enum) continue;
    SCOPED_TRACE(std::string(spec.name));
    for (std::string_view value : spec.allowed_values()) {
      auto loaded = load_string(document(spec, "\"" + std::string(value) + "\""), "e.toml", kBase);
      ASSERT_TRUE(loaded.ok()) << loaded.error().message;
      EXPECT_EQ((*loaded).*std::get<std::string Settings::*>(spec.field), value);
    }
    EXPECT_FALSE(load_string(document(spec, "\"no-such-value\""), "e.toml", kBase).ok());
  }
}

TEST(SettingsTable, NamesAndPolicyValuesAreUniqueAndScopesKnown) {
  const std::set<std::string_view> scopes = {"global", "smtp", "submission", "pop3", "imap", "delivery"};
  std::set<std::string_view> names;
  std::set<std::string_view> policies;
  for (const SettingSpec& spec : setting_specs()) {
    EXPECT_TRUE(names.insert(spec.name).second) << spec.name;
    EXPECT_TRUE(policies.insert(spec.policy_value).second) << spec.policy_value;
    EXPECT_TRUE(scopes.count(spec.scope)) << spec.name << " has scope " << spec.scope;
    EXPECT_EQ(find_setting(spec.name), &spec);
    EXPECT_TRUE(is_known_section(spec.section()));
  }
  EXPECT_EQ(find_setting("smtp.maxrecipients"), nullptr);
  EXPECT_FALSE(is_known_section("smtpd"));
}

TEST(SettingsTable, EnumValuesComeFromTheUnitColumn) {
  const SettingSpec* level = find_setting("log.level");
  ASSERT_NE(level, nullptr);
  EXPECT_EQ(level->allowed_values(), (std::vector<std::string_view>{"debug", "info", "warn", "error"}));
  const SettingSpec* plaintext = find_setting("pop3.plaintext_auth");
  ASSERT_NE(plaintext, nullptr);
  EXPECT_EQ(plaintext->allowed_values(), (std::vector<std::string_view>{"never", "loopback", "always"}));
  EXPECT_TRUE(find_setting("smtp.enabled")->allowed_values().empty());
}

}  // namespace
}  // namespace dirmail::config
