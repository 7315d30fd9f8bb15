"""Public service mesh (公共サービスメッシュ): signed, authorized, logged exchanges between organizations.

Sub-packages: ``directory`` (members, services, legal bases, subscriptions), ``codes``
(機関別符号), ``log`` (hash-chained message logs), ``node`` (one security server per
organization), ``push`` (change notifications) and ``history`` (やりとり履歴).
"""
