#pragma once
// A password for an account the export gives none (an export from AD mode, or
// --ignore-passwords): random, and long and varied enough for any domain policy (AD's
// complexity rule: three of upper case, lower case, digits and symbols; spec §11).
// The user is made to change it at the first logon where the target can (AD).
#include <string>

namespace dirmail::migration {

inline constexpr std::size_t generated_password_length = 20;

// From the kernel's random source (getrandom): each of the four kinds at least once,
// no characters that are easily confused when read out (0/O, 1/l/I).
std::string generate_password();

}  // namespace dirmail::migration
