// Which GPOs apply to a computer and in what order, as Windows decides: link order,
// enforced links, blocked inheritance, disabled links and GPOs, security filtering.
#include "dirmail/config/gpo_precedence.hpp"

#include <gtest/gtest.h>

namespace dirmail::config {
namespace {

GpoLink link(std::string guid, bool enforced = false, bool disabled = false) {
  return GpoLink{"cn=" + guid + ",cn=policies,cn=system,DC=example,DC=com", guid, disabled, enforced};
}

// GUIDs that read as names in failure output.
const std::string kDomainA = "{00000000-0000-0000-0000-00000000000A}";
const std::string kDomainB = "{00000000-0000-0000-0000-00000000000B}";
const std::string kOuC = "{00000000-0000-0000-0000-00000000000C}";
const std::string kOuD = "{00000000-0000-0000-0000-00000000000D}";
const std::string kSubE = "{00000000-0000-0000-0000-00000000000E}";

std::vector<GpoFacts> all_gpos() {
  std::vector<GpoFacts> gpos;
  for (const auto& [guid, name] : {std::pair{kDomainA, "A"}, {kDomainB, "B"}, {kOuC, "C"}, {kOuD, "D"}, {kSubE, "E"}}) {
    gpos.push_back(GpoFacts{guid, name, 0, true});
  }
  return gpos;
}

// The display names in application order.
std::string order(const std::vector<GpoContainer>& chain, const std::vector<GpoFacts>& gpos = all_gpos()) {
  std::string names;
  for (const ScheduledGpo& gpo : gpos_in_application_order(chain, gpos)) names += gpo.display_name;
  return names;
}

const std::string kDomain = "DC=example,DC=com";
const std::string kServers = "OU=Servers,DC=example,DC=com";
const std::string kMail = "OU=Mail,OU=Servers,DC=example,DC=com";

TEST(GpoPrecedence, DomainThenOusDownToTheComputer) {
  const std::vector<GpoContainer> chain = {
      {kDomain, {link(kDomainA)}, 0}, {kServers, {link(kOuC)}, 0}, {kMail, {link(kSubE)}, 0}};
  EXPECT_EQ(order(chain), "ACE");
  const auto scheduled = gpos_in_application_order(chain, all_gpos());
  EXPECT_EQ(scheduled.back(), (ScheduledGpo{kSubE, "E", kMail, false}));
}

TEST(GpoPrecedence, LinkOrderOneIsAppliedLastWithinAContainer) {
  // links[0] has link order 1.
  EXPECT_EQ(order({{kDomain, {link(kDomainA), link(kDomainB)}, 0}}), "BA");
  EXPECT_EQ(order({{kDomain, {link(kDomainB), link(kDomainA)}, 0}}), "AB");
}

TEST(GpoPrecedence, EnforcedLinksComeLastAndHigherContainersWin) {
  const std::vector<GpoContainer> chain = {
      {kDomain, {link(kDomainA, true), link(kDomainB)}, 0},
      {kServers, {link(kOuC, true), link(kOuD)}, 0},
      {kMail, {link(kSubE)}, 0},
  };
  // Non-enforced first (domain, then down), then enforced from the OU up to the domain.
  EXPECT_EQ(order(chain), "BDECA");
}

TEST(GpoPrecedence, BlockedInheritanceDropsOnlyNonEnforcedLinksAbove) {
  const std::vector<GpoContainer> chain = {
      {kDomain, {link(kDomainA, true), link(kDomainB)}, 0},
      {kServers, {link(kOuC)}, 0},
      {kMail, {link(kSubE)}, kGpOptionsBlockInheritance},
  };
  EXPECT_EQ(order(chain), "EA");
  // Blocking higher up keeps the links below it.
  std::vector<GpoContainer> higher = chain;
  higher[2].gp_options = 0;
  higher[1].gp_options = kGpOptionsBlockInheritance;
  EXPECT_EQ(order(higher), "CEA");
}

TEST(GpoPrecedence, SkipsDisabledLinksDisabledGposAndFilteredGpos) {
  std::vector<GpoFacts> gpos = all_gpos();
  gpos[1].flags = kGpoFlagComputerDisabled;  // B
  gpos[2].passes_security_filter = false;    // C
  gpos[3].flags = 1;                         // D: only its user settings are disabled
  const std::vector<GpoContainer> chain = {
      {kDomain, {link(kDomainA, false, true), link(kDomainB)}, 0},
      {kServers, {link(kOuC), link(kOuD)}, 0},
      {kMail, {link(kSubE, true, true)}, 0},
  };
  EXPECT_EQ(order(chain, gpos), "D");
}

TEST(GpoPrecedence, SkipsLinksToUnknownGpos) {
  EXPECT_EQ(order({{kDomain, {link("{00000000-0000-0000-0000-0000000000FF}"), link(kDomainA)}, 0}}), "A");
}

TEST(GpoPrecedence, AGpoLinkedTwiceKeepsItsHighestPlace) {
  const std::vector<GpoContainer> chain = {
      {kDomain, {link(kDomainA)}, 0},
      {kServers, {link(kOuC)}, 0},
      {kMail, {link(kDomainA)}, 0},
  };
  EXPECT_EQ(order(chain), "CA");
  const auto scheduled = gpos_in_application_order(chain, all_gpos());
  EXPECT_EQ(scheduled.back().container_dn, kMail);
}

TEST(GpoPrecedence, NoChainNoGpos) { EXPECT_EQ(order({}), ""); }

}  // namespace
}  // namespace dirmail::config
