#pragma once
// Which GPOs apply to a computer, in the order Windows applies them (MS-GPOL 3.2.5.1):
// the domain's links, then each OU's down to the computer's own OU; within a container,
// the largest link order first, so that link order 1 is applied last and wins. A link
// that is disabled, a GPO whose computer settings are disabled, and a GPO the computer
// does not pass the security filter of are skipped. An OU that blocks inheritance drops
// the non-enforced links of the containers above it. Enforced links cannot be blocked
// and are applied after every non-enforced one, the computer's OU first and the domain
// last, so that an enforced link higher up wins over one further down.
//
// The local GPO and site-linked GPOs are not considered: dirmail runs on Linux, which has
// no local GPO, and sites are left to a later change.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "dirmail/config/gplink.hpp"

namespace dirmail::config {

// gPOptions bit 0: the container blocks inheritance.
inline constexpr std::uint32_t kGpOptionsBlockInheritance = 1;
// The GPO's "flags" attribute, bit 1: its computer configuration is disabled.
inline constexpr std::uint32_t kGpoFlagComputerDisabled = 2;

// A domain or OU on the way from the domain down to the computer.
struct GpoContainer {
  std::string dn;
  std::vector<GpoLink> links;  // link order: [0] has link order 1 (parse_gplink's order)
  std::uint32_t gp_options = 0;
};

// What the directory says about one GPO.
struct GpoFacts {
  std::string guid;  // as GpoLink::guid
  std::string display_name;
  std::uint32_t flags = 0;             // the "flags" attribute
  bool passes_security_filter = true;  // the computer may read and apply the GPO
};

struct ScheduledGpo {
  std::string guid;
  std::string display_name;
  std::string container_dn;  // where the link that brought it in is
  bool enforced = false;

  bool operator==(const ScheduledGpo&) const = default;
};

// The GPOs to apply, lowest precedence first. `chain` runs from the domain down to the
// computer's OU. A link to a GPO not in `gpos` (deleted, or unreadable) is skipped. A GPO
// linked more than once appears once, where it has the highest precedence: applying it
// again there would give the same result.
std::vector<ScheduledGpo> gpos_in_application_order(std::span<const GpoContainer> chain,
                                                    std::span<const GpoFacts> gpos);

}  // namespace dirmail::config
