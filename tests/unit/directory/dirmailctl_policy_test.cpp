// dirmailctl policy show: each setting's effective value and where it comes from.
#include <fstream>
#include <sstream>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "commands.hpp"
#include "dirmail/config/policy_state.hpp"
#include "dirmail/config/registry_pol.hpp"
#include "temp_directory.hpp"

namespace dirmail::ctl {
namespace {

using config::RegistryPolEntry;
using config::RegistryType;
using directory::testing::TempFolder;

struct CommandRun {
  int status = 0;
  std::string out;
  std::string err;
};

class PolicyShow : public ::testing::Test {
 protected:
  void SetUp() override {
    config_ = (folder_.path() / "dirmail.toml").string();
    write(config_, "[server]\ndata_dir = \"" + folder_.path().string() + "\"\n[smtp]\nmax_recipients = 50\n");
  }

  static void write(const std::string& path, const std::string& bytes) {
    std::ofstream(path, std::ios::binary) << bytes;
  }

  std::string policy_file(const std::vector<RegistryPolEntry>& entries) {
    auto bytes = config::write_registry_pol(entries);
    EXPECT_TRUE(bytes.ok());
    const std::string path = (folder_.path() / "Registry.pol").string();
    write(path, bytes.ok() ? *bytes : "");
    return path;
  }

  CommandRun run(const Args& args) {
    std::ostringstream out, err;
    CommandRun r;
    r.status = policy_command(config_, args, out, err);
    r.out = out.str();
    r.err = err.str();
    return r;
  }

  TempFolder folder_;
  std::string config_;
};

bool has_line(const std::string& text, const std::string& line) {
  return ("\n" + text).find("\n" + line + "\n") != std::string::npos;
}

TEST_F(PolicyShow, ShowsThePolicyDirmaildApplies) {
  // What dirmaild keeps in server.data_dir after applying two GPOs, the later one winning.
  write(config_, "[server]\ndata_dir = \"" + folder_.path().string() +
                     "\"\n[directory]\nbackend = \"ad\"\n[smtp]\nmax_recipients = 50\n");
  const RegistryPolEntry low{"Software\\Policies\\dirmail\\smtp", "SmtpMaxRecipients", RegistryType::Dword, std::uint64_t{7}};
  const RegistryPolEntry high{"Software\\Policies\\dirmail\\smtp", "SmtpMaxRecipients", RegistryType::Dword, std::uint64_t{9}};
  const std::vector<config::FetchedGpo> gpos{{"Domain mail", config::write_registry_pol(std::span(&low, 1)).value()},
                                             {"Mail servers OU", config::write_registry_pol(std::span(&high, 1)).value()}};
  ASSERT_TRUE(config::save_policy_state((folder_.path() / "group-policy.state").string(), gpos).ok());
  const CommandRun r = run({"show"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(has_line(r.out, "smtp.max_recipients = 9  # GPO \"Mail servers OU\"")) << r.out;
  EXPECT_TRUE(has_line(r.out, "directory.backend = \"ad\"  # " + config_ + ":4")) << r.out;
}

TEST_F(PolicyShow, SaysWhenDirmaildHasAppliedNoPolicyYet) {
  write(config_, "[server]\ndata_dir = \"" + folder_.path().string() + "\"\n[directory]\nbackend = \"ad\"\n");
  const CommandRun r = run({"show"});
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.err.find("dirmaild has applied no Group Policy yet"), std::string::npos) << r.err;
  EXPECT_TRUE(has_line(r.out, "smtp.max_recipients = 100  # default")) << r.out;
}

TEST_F(PolicyShow, NamesTheDefaultOrTheFileLine) {
  const CommandRun r = run({"show"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(has_line(r.out, "smtp.max_recipients = 50  # " + config_ + ":4")) << r.out;
  EXPECT_TRUE(has_line(r.out, "log.level = \"info\"  # default")) << r.out;
  EXPECT_TRUE(has_line(r.out, "smtp.listen = [ \"0.0.0.0 25\" ]  # default")) << r.out;
}

TEST_F(PolicyShow, JsonGivesTypedValuesAndTheirSources) {
  const std::string pol = policy_file({{"Software\\Policies\\dirmail\\log", "LogLevel", RegistryType::String,
                                        std::string("debug")}});
  const CommandRun r = run({"show", "--json", "--registry-pol", pol, "--gpo-name", "Mail servers"});
  ASSERT_EQ(r.status, 0) << r.err;
  auto list = boost::json::parse(r.out).as_array();
  auto find = [&](std::string_view name) {
    for (const auto& v : list)
      if (v.as_object().at("name").as_string() == name) return v.as_object();
    ADD_FAILURE() << name << " missing";
    return boost::json::object{};
  };
  EXPECT_EQ(find("smtp.max_recipients"),
            (boost::json::object{{"name", "smtp.max_recipients"}, {"value", 50}, {"source", "file"},
                                 {"file", config_}, {"line", 4}}));
  EXPECT_EQ(find("log.level"),
            (boost::json::object{{"name", "log.level"}, {"value", "debug"}, {"source", "gpo"}, {"gpo", "Mail servers"}}));
  EXPECT_EQ(find("smtp.listen").at("value"), (boost::json::array{"0.0.0.0 25"}));
  EXPECT_EQ(find("smtp.vrfy").at("source"), "default");
  EXPECT_TRUE(find("smtp.vrfy").at("value").is_bool());
}

TEST_F(PolicyShow, PreviewsARegistryPolAsAGpo) {
  const std::string smtp = "Software\\Policies\\dirmail\\smtp";
  const std::string pol = policy_file({
      {smtp, "SmtpMaxRecipients", RegistryType::Dword, std::uint64_t{250}},
      {smtp, "SmtpListen", RegistryType::Dword, std::uint64_t{1}},
      {smtp + "\\SmtpListen", "**delvals.", RegistryType::String, std::string(" ")},
      {smtp + "\\SmtpListen", "1", RegistryType::String, std::string("127.0.0.1 2525")},
      {"Software\\Policies\\dirmail\\log", "LogLevel", RegistryType::String, std::string("loud")},
  });
  const CommandRun r = run({"show", "--registry-pol", pol, "--gpo-name", "Mail servers"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(has_line(r.out, "smtp.max_recipients = 250  # GPO \"Mail servers\"")) << r.out;
  EXPECT_TRUE(has_line(r.out, "smtp.listen = [ \"127.0.0.1 2525\" ]  # GPO \"Mail servers\"")) << r.out;
  // The invalid value is reported and ignored.
  EXPECT_TRUE(has_line(r.out, "log.level = \"info\"  # default")) << r.out;
  EXPECT_TRUE(has_line(r.err,
                       "GPO \"Mail servers\": log.level: \"loud\" is not one of debug, info, warn, error "
                       "(HKLM\\Software\\Policies\\dirmail\\log\\LogLevel); ignored"))
      << r.err;
}

TEST_F(PolicyShow, RefusesADamagedRegistryPol) {
  const std::string pol = (folder_.path() / "Registry.pol").string();
  write(pol, std::string("PReg\x01\x00\x00\x00[", 9));
  const CommandRun r = run({"show", "--registry-pol", pol, "--gpo-name", "G"});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "dirmailctl: " + pol + ": byte 8: entry 1: the file ends where '[' to open an entry should be\n");
  EXPECT_EQ(r.out, "");
}

TEST_F(PolicyShow, NeedsBothTheFileAndTheName) {
  EXPECT_EQ(run({"show", "--registry-pol", "x"}).status, 2);
  EXPECT_EQ(run({"show", "--gpo-name", "x"}).status, 2);
  EXPECT_EQ(run({}).status, 2);
}

}  // namespace
}  // namespace dirmail::ctl
