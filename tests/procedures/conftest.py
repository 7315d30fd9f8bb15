"""A minimal valid procedure file that tests copy and break line by line."""

from __future__ import annotations

VALID = """\
id: sample
name: {ja: 見本の届出, en: Sample notification}
name_kana: みほんのとどけで
summary: {ja: 見本です。, en: A sample.}
legal_basis:
  - {ja: 見本法第1条, en: Sample Act Article 1}
responsible: {rule: municipality_of_current_address}
applicants: [resident]
eligibility:
  summary: {ja: 18歳以上の住民, en: Residents aged 18 or over}
  rule:
    all:
      - {attribute: status, op: eq, value: resident}
      - {attribute: age, op: gte, value: 18}
fields:
  - name: applicant_name
    type: person_name
    label: {ja: 氏名, en: Name}
  - name: note
    type: text
    max_length: 200
    label: {ja: 備考, en: Note}
prefill:
  - {service: residents.basic4, item: name, item_type: person_name, field: applicant_name}
workflow:
  - {id: review, name: {ja: 審査, en: Review}, role: 審査}
processing_days: 7
life_events: [moving]
notice:
  title: {ja: 通知, en: Notice}
  body: {ja: "{applicant_name} 様 {receipt_number}", en: "Dear {applicant_name} {receipt_number}"}
"""
