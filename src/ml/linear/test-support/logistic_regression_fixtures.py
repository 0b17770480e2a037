# Writes logistic-regression.sklearn.json (first line of output) with /usr/bin/python3, scikit-learn 1.2.1:
#   /usr/bin/python3 src/ml/linear/test-support/logistic_regression_fixtures.py | head -1 > src/ml/linear/test-support/logistic-regression.sklearn.json
import numpy as np, csv, json, warnings
warnings.filterwarnings('ignore')
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler
rows=list(csv.reader(open('/work/shared/data/iris.csv')))[1:]
Xi=np.array([[float(v) for v in r[:4]] for r in rows]); yi=np.array([r[4] for r in rows])
w=np.loadtxt('/work/shared/data/wine.csv',delimiter=',',skiprows=1); Xw,yw=w[:,:13],w[:,13].astype(int)
out={}
def fit(name,X,y,**kw):
    m=LogisticRegression(tol=1e-12,max_iter=100000,**kw).fit(X,y)
    d=LogisticRegression(**kw).fit(X,y)
    out[name]={'coef':m.coef_.tolist(),'intercept':m.intercept_.tolist(),'proba':m.predict_proba(X[::10]).tolist(),'defaultProba':d.predict_proba(X[::10]).tolist(),'nIterDefault':int(d.n_iter_[0])}
fit('irisStd',StandardScaler().fit_transform(Xi),yi)
fit('wineStd',StandardScaler().fit_transform(Xw),yw)
fit('irisRaw',Xi,yi)
fit('wineRawC01',Xw,yw,C=0.1)
b=yi!='Setosa'
fit('irisBinaryRaw',Xi[b],yi[b])
fit('irisBinaryNoIntercept',Xi[b],yi[b],fit_intercept=False,C=10.0)
print(json.dumps(out))
for k,v in out.items(): print(k, v['nIterDefault'], np.abs(np.array(v['proba'])-np.array(v['defaultProba'])).max())
