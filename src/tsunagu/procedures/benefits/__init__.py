"""給付金の支給 (benefit payment runs): eligibility by rule, the 公金受取口座, the 全銀 transfer file."""
