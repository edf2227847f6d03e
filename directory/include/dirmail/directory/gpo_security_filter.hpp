#pragma once
// Group Policy security filtering: may a computer apply a GPO? Windows applies a GPO
// when the computer's token is granted both Read (READ_PROPERTY) and the "Apply Group
// Policy" extended right (edacfd8f-ffb3-11d1-b41d-00a0c968f939) by the DACL of the
// GPO container's nTSecurityDescriptor ([MS-GPOL] 3.2.5.1.6).
//
// What is evaluated: the DACL's ACEs in order, as an access check does. Each right is
// decided by the first ACE that names a SID of the token and carries the right:
// ACCESS_ALLOWED(_OBJECT)_ACE grants it, ACCESS_DENIED(_OBJECT)_ACE denies it. An object
// ACE counts for Apply Group Policy only when its object type is that right (or absent),
// and for Read only when it has no object type (a property-set ACE grants part of Read
// only). INHERIT_ONLY ACEs are skipped. GENERIC_ALL and GENERIC_READ count as the rights
// they map to. Not evaluated: conditional (callback) ACEs, and the owner's implicit rights.
#include <span>
#include <string>
#include <string_view>

#include "dirmail/base/result.hpp"

namespace dirmail::directory {

// Binary SIDs of the well-known groups every computer's token holds.
std::string everyone_sid();             // S-1-1-0
std::string authenticated_users_sid();  // S-1-5-11

// `security_descriptor`: the self-relative descriptor (nTSecurityDescriptor, read with
// SD flags 4: the DACL). `token`: binary SIDs (objectSid, tokenGroups, the well-known
// ones above). invalid_argument when the descriptor is malformed.
Result<bool> may_apply_gpo(std::string_view security_descriptor, std::span<const std::string> token);

// "S-1-5-21-...", for log lines.
std::string sid_text(std::string_view binary_sid);

}  // namespace dirmail::directory
