"""The public privacy request form."""

from __future__ import annotations

SUBMIT = """
mutation Submit($input: SubmitRightsRequestInput!) {
  submitRightsRequest(input: $input) {
    __typename
    ... on RightsRequestSubmitted { message }
    ... on UserError { code field }
  }
}"""
