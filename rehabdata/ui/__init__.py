"""Streamlit components shared by several pages (the only part of rehabdata that imports streamlit)."""
