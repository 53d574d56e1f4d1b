"""The Streamlit layer of nnlab: state bound to the URL, the page frame, the run store and trainer,
and the helpers of the pages (the compare grid, the trust checks).

nnlab itself never imports streamlit; everything that does lives here or in the pages.
"""
