#pragma once
// The guide's relay matrices I-V and how AUTH bends them (relay_rules.hpp's file
// comment has the tables). Private to the smtp library.
#include <string_view>

#include "dirmail/smtp/relay_rules.hpp"

namespace dirmail::smtp {

// What a matching rule's action gives.
struct MatrixChoice {
  RelayMatrix matrix;
  bool auth_relays;  // an authenticated session may send to any existing or external address
};
MatrixChoice matrix_for(RelayAction action);

struct MatrixCell {
  RelayVerdict verdict;
  std::string_view reason;
};

// One cell. `authenticated`: the session authenticated and the matrix lets AUTH count.
MatrixCell relay_cell(RelayMatrix matrix, AddressClass sender, AddressClass recipient, bool authenticated);

}  // namespace dirmail::smtp
