"""End-to-end tests: a real `streamlit run` driven by Playwright and Chromium."""
