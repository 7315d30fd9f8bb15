"""アドレス・ベース・レジストリ: prefectures, municipalities, towns (町字) and the normalizer."""
