"""The instructor's tools: the classroom kit, its server, the shared JupyterHub, the solved notebooks.

Nothing here is imported by ``course_utils`` or by the notebooks; these are run by ``make`` targets
(``make kit``, ``make serve-kit``, ``make hub``, ``make solutions``, ``make set-repo``), and the
parts that run on a learner's machine before anything is installed use the standard library only.
"""
