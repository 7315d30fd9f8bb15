"""API shapes of the 公金受取口座."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from tsunagu.registry.accounts.service import Account


class AccountIn(BaseModel):
    bank_code: str = Field(max_length=20, description="金融機関コード (4 digits, 全銀協)", examples=["0005"])
    branch_code: str = Field(max_length=20, description="支店コード (3 digits)", examples=["001"])
    account_type: str = Field(max_length=20, description="futsu (普通), toza (当座) or chochiku (貯蓄)")
    account_number: str = Field(max_length=20, description="口座番号 (7 digits)", examples=["1234567"])


class AccountOut(BaseModel):
    bank_code: str
    bank_name: str
    branch_code: str
    branch_name: str
    account_type: str
    account_number_masked: str = Field(description="Only the last three digits are shown")
    holder_kana: str = Field(description="口座名義 as the bank confirmed it (全銀 kana)")
    verified_at: datetime
    registered_at: datetime

    @classmethod
    def of(cls, account: Account) -> AccountOut:
        return cls(
            bank_code=account.bank_code,
            bank_name=account.bank_name,
            branch_code=account.branch_code,
            branch_name=account.branch_name,
            account_type=account.account_type,
            account_number_masked=account.masked_number,
            holder_kana=account.holder_kana,
            verified_at=account.verified_at,
            registered_at=account.registered_at,
        )
